package org.pformer.datasets.text;

/**
 * The few Python {@code str} semantics that the LAVIS text processors rely on, reproduced exactly so that the
 * cleaning matches the reference code character for character.
 */
final class PythonText {

    /** The characters LAVIS strips from captions and questions: {@code [.!"()*#:;~]}. */
    static final String LAVIS_PUNCTUATION = ".!\"()*#:;~";

    private PythonText() {}

    /**
     * Python's {@code \s} on {@code str} patterns (equivalently {@code str.isspace()}): the ASCII whitespace, the
     * information separators U+001C–U+001F, NEL, NBSP and the Unicode space separators. Java's {@code \s} and
     * {@link Character#isWhitespace} both differ from it (NBSP, U+001C…), hence this explicit table.
     */
    static boolean isSpace(char c) {
        if (c <= 0x20) {
            return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
        }
        return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028
                || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    static boolean isLavisPunctuation(char c) {
        return c < 0x80 && LAVIS_PUNCTUATION.indexOf(c) >= 0;
    }

    /** Python's {@code " ".join(s.split(" ")[:max])}: the first {@code max} space-separated fields. */
    static String firstFields(String s, int max) {
        int fields = 1;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' && ++fields > max) {
                return s.substring(0, i);
            }
        }
        return s;
    }

    /** Python's {@code len(s.split(" "))}. */
    static int fieldCount(String s) {
        int fields = 1;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ') {
                fields++;
            }
        }
        return fields;
    }
}
