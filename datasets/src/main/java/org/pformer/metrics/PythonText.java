package org.pformer.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python {@code str} operations that the reference evaluators (pycocoevalcap, the VQA API) apply to text,
 * with Python's exact semantics: its notion of whitespace is wider than Java's (it includes U+00A0, U+0085,
 * U+2007, U+202F, U+001C..U+001F), and that decides how tokens such as PTB's {@code 3\u00a01/2} are split.
 */
public final class PythonText {
    private PythonText() {
    }

    /** Python's {@code str.isspace()} for one code point: category Zs, or bidirectional class WS, B or S. */
    public static boolean isSpace(int codePoint) {
        if (Character.getType(codePoint) == Character.SPACE_SEPARATOR) {
            return true;
        }
        byte d = Character.getDirectionality(codePoint);
        return d == Character.DIRECTIONALITY_WHITESPACE
                || d == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || d == Character.DIRECTIONALITY_SEGMENT_SEPARATOR;
    }

    /** {@code s.split()}: split on runs of Python whitespace, no empty tokens. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            // supplementary code points are never whitespace, so looking at UTF-16 units is enough
            if (isSpace(s.charAt(i))) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** {@code s.split(sep)} for a non-empty literal separator: keeps empty pieces ({@code "".split(" ") == [""]}). */
    public static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, start)) {
            out.add(s.substring(start, i));
            start = i + 1;
        }
        out.add(s.substring(start));
        return out;
    }

    /** {@code s.strip()}. */
    public static String strip(String s) {
        int end = rstripEnd(s);
        int begin = 0;
        while (begin < end && isSpace(s.charAt(begin))) {
            begin++;
        }
        return s.substring(begin, end);
    }

    /** {@code s.rstrip()}. */
    public static String rstrip(String s) {
        return s.substring(0, rstripEnd(s));
    }

    private static int rstripEnd(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }
}
