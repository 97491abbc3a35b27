package org.pformer.datasets.text;

import java.util.Locale;

/**
 * Question cleaning exactly as LAVIS {@code BlipQuestionProcessor.pre_question} (used to build the zero-shot VQA
 * prompt {@code Question: {q} Short answer:}): lower-case, delete each of {@code .!"()*#:;~} (deleted, not
 * replaced by a space as for captions), strip trailing spaces, keep the first {@code max_words} (50) words.
 */
public final class BlipQuestionCleaner {

    private final int maxWords;

    public BlipQuestionCleaner() {
        this(BlipCaptionCleaner.LAVIS_MAX_WORDS);
    }

    public BlipQuestionCleaner(int maxWords) {
        if (maxWords < 1) {
            throw new IllegalArgumentException("maxWords must be >= 1, got " + maxWords);
        }
        this.maxWords = maxWords;
    }

    public String clean(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (!PythonText.isLavisPunctuation(c)) {
                sb.append(c);
            }
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        return PythonText.firstFields(sb.substring(0, end), maxWords);
    }
}
