package org.pformer.datasets.world;

import java.util.List;
import java.util.SplittableRandom;

/** Small English helpers of the world's grammar. */
final class Words {

    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve"};

    private Words() {}

    static <T> T pick(SplittableRandom rng, List<T> options) {
        return options.get(rng.nextInt(options.size()));
    }

    @SafeVarargs
    static <T> T pick(SplittableRandom rng, T... options) {
        return options[rng.nextInt(options.length)];
    }

    /** "a" or "an" for the word that follows. */
    static String article(String next) {
        char c = next.isEmpty() ? 'x' : Character.toLowerCase(next.charAt(0));
        return "aeiou".indexOf(c) >= 0 ? "an" : "a";
    }

    /** "an orange star". */
    static String withArticle(String phrase) {
        return article(phrase) + " " + phrase;
    }

    static String number(int n) {
        return n >= 0 && n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * Real captions are not clean: capitalise the first letter half of the time, end with a period half of the
     * time, and very rarely carry a doubled space — the LAVIS cleaning has something to do.
     */
    static String surface(String s, SplittableRandom rng) {
        String out = rng.nextBoolean() ? capitalize(s) : s;
        if (rng.nextBoolean()) {
            out = out + ".";
        }
        if (rng.nextInt(50) == 0) {
            int space = out.indexOf(' ');
            if (space > 0) {
                out = out.substring(0, space) + " " + out.substring(space);
            }
        }
        return out;
    }
}
