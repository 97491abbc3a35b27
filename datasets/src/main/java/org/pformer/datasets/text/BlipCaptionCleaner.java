package org.pformer.datasets.text;

import java.util.Locale;

/**
 * Caption cleaning exactly as LAVIS {@code BlipCaptionProcessor.pre_caption} (the text processor of BLIP-2 and of
 * the P-Former reference code):
 * <ol>
 *   <li>lower-case ({@code str.lower()});</li>
 *   <li>replace each of {@code .!"()*#:;~} by a space;</li>
 *   <li>replace every run of two or more whitespace characters by one space (a single tab or newline stays);</li>
 *   <li>strip trailing newlines, then leading/trailing spaces;</li>
 *   <li>keep the first {@code max_words} (50) space-separated words.</li>
 * </ol>
 * Thread-safe.
 */
public final class BlipCaptionCleaner {

    /** LAVIS {@code blip_caption} default. */
    public static final int LAVIS_MAX_WORDS = 50;

    /** A cleaned caption, with its word count before truncation. */
    public record Cleaned(String text, int wordsBeforeTruncation, boolean truncated) {

        /** Words in the cleaned text; 0 for an empty caption. */
        public int words() {
            return text.isEmpty() ? 0 : PythonText.fieldCount(text);
        }
    }

    private final int maxWords;

    public BlipCaptionCleaner() {
        this(LAVIS_MAX_WORDS);
    }

    public BlipCaptionCleaner(int maxWords) {
        if (maxWords < 1) {
            throw new IllegalArgumentException("maxWords must be >= 1, got " + maxWords);
        }
        this.maxWords = maxWords;
    }

    public int maxWords() {
        return maxWords;
    }

    /** The clean caption. */
    public String clean(String raw) {
        return cleanCounted(raw).text();
    }

    /** The clean caption with its word count before truncation (to report truncations). */
    public Cleaned cleanCounted(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        int n = lower.length();
        StringBuilder sb = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = spaced(lower.charAt(i));
            if (PythonText.isSpace(c)) {
                int j = i + 1;
                while (j < n && PythonText.isSpace(spaced(lower.charAt(j)))) {
                    j++;
                }
                // re.sub(r"\s{2,}", " ") rewrites runs only; a lone whitespace character is kept as it is.
                sb.append(j - i >= 2 ? ' ' : c);
                i = j;
            } else {
                sb.append(c);
                i++;
            }
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == '\n') {
            end--;
        }
        int start = 0;
        while (start < end && sb.charAt(start) == ' ') {
            start++;
        }
        while (end > start && sb.charAt(end - 1) == ' ') {
            end--;
        }
        String text = sb.substring(start, end);
        int fields = PythonText.fieldCount(text);
        if (fields > maxWords) {
            return new Cleaned(PythonText.firstFields(text, maxWords), fields, true);
        }
        return new Cleaned(text, text.isEmpty() ? 0 : fields, false);
    }

    private static char spaced(char c) {
        return PythonText.isLavisPunctuation(c) ? ' ' : c;
    }
}
