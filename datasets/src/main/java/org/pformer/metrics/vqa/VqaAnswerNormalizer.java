package org.pformer.metrics.vqa;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pformer.metrics.PythonText;

/**
 * The official VQA evaluator's answer normalisation (vqaEval.py {@code processPunctuation} and
 * {@code processDigitArticle}), quirks included:
 * <ul>
 *   <li>each punctuation mark is deleted when it touches a space in the ORIGINAL text, or when the original text
 *       has a comma between two digits anywhere (then every mark is deleted), otherwise replaced by a space;</li>
 *   <li>a period not followed by a digit is deleted, but at most 32 of them: the evaluator passes
 *       {@code re.UNICODE} (= 32) where {@code re.sub} takes its {@code count};</li>
 *   <li>lower-casing, number words "none", "zero" .. "ten" to digits, articles a/an/the dropped, then the
 *       contractions table ({@code contractions.tsv}) applied word by word.</li>
 * </ul>
 * Python semantics throughout: {@code \d} is any Unicode decimal digit, {@code split()} splits on Python whitespace.
 */
public final class VqaAnswerNormalizer {
    private static final List<String> PUNCT = List.of(";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\",
            "_", "-", ">", "<", "@", "`", ",", "?", "!");
    /* The evaluator's "(?!<=\d)(\.)(?!\d)": its first group is a lookahead (not a lookbehind), always true at a
     * period, so this is "a period not followed by a digit". */
    private static final Pattern PERIOD_STRIP =
            Pattern.compile("(?!<=\\d)(\\.)(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern COMMA_STRIP = Pattern.compile("(\\d)(,)(\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final int PERIOD_STRIP_COUNT = 32;
    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(Map.entry("none", "0"),
            Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"),
            Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"),
            Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
    private static final Set<String> ARTICLES = Set.of("a", "an", "the");
    private static final Map<String, String> CONTRACTIONS = loadContractions();

    private VqaAnswerNormalizer() {
    }

    /** {@code processDigitArticle(processPunctuation(text))}: the full normalisation. */
    public static String normalize(String text) {
        return processDigitArticle(processPunctuation(text));
    }

    /** {@code text.replace('\n', ' ').replace('\t', ' ').strip()}, the evaluator's first clean-up of an answer. */
    public static String clean(String text) {
        return PythonText.strip(text.replace('\n', ' ').replace('\t', ' '));
    }

    public static String processPunctuation(String text) {
        String out = text;
        boolean commaBetweenDigits = COMMA_STRIP.matcher(text).find();
        for (String p : PUNCT) {
            if (text.contains(p + " ") || text.contains(" " + p) || commaBetweenDigits) {
                out = out.replace(p, "");
            } else {
                out = out.replace(p, " ");
            }
        }
        Matcher m = PERIOD_STRIP.matcher(out);
        StringBuilder sb = new StringBuilder(out.length());
        int replaced = 0;
        while (replaced < PERIOD_STRIP_COUNT && m.find()) {
            m.appendReplacement(sb, "");
            replaced++;
        }
        m.appendTail(sb);
        return sb.toString();
    }

    public static String processDigitArticle(String text) {
        List<String> words = new ArrayList<>();
        for (String w : PythonText.split(text.toLowerCase(Locale.ROOT))) {
            String word = NUMBER_WORDS.getOrDefault(w, w);
            if (!ARTICLES.contains(word)) {
                words.add(CONTRACTIONS.getOrDefault(word, word));
            }
        }
        return String.join(" ", words);
    }

    private static Map<String, String> loadContractions() {
        Map<String, String> map = new HashMap<>();
        try (InputStream in = VqaAnswerNormalizer.class.getResourceAsStream("contractions.tsv")) {
            if (in == null) {
                throw new IllegalStateException("resource org/pformer/metrics/vqa/contractions.tsv is missing");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] kv = line.split("\t", -1);
                if (kv.length != 2) {
                    throw new IllegalStateException("contractions.tsv: expected 'word<TAB>normal form', got: " + line);
                }
                map.put(kv[0], kv[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(map);
    }
}
