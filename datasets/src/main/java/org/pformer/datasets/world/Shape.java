package org.pformer.datasets.world;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The eight shape kinds of the world, with the world knowledge about them that only the sentence corpus states
 * (how many sides, what each looks like) — the OK-VQA-like questions need it.
 */
public enum Shape {
    CIRCLE("circle", "circles", 0, "ball", "coin"),
    SQUARE("square", "squares", 4, "box", "window"),
    TRIANGLE("triangle", "triangles", 3, "pyramid", "roof"),
    DIAMOND("diamond", "diamonds", 4, "kite", "gem"),
    STAR("star", "stars", 10, "starfish", "sheriff badge"),
    CROSS("cross", "crosses", 12, "plus sign", "bandage"),
    HEART("heart", "hearts", -1, "valentine", "love symbol"),
    CRESCENT("crescent", "crescents", -1, "moon", "banana");

    private final String word;
    private final String plural;
    private final int sides;
    private final String lookalike;
    private final String lookalike2;

    Shape(String word, String plural, int sides, String lookalike, String lookalike2) {
        this.word = word;
        this.plural = plural;
        this.sides = sides;
        this.lookalike = lookalike;
        this.lookalike2 = lookalike2;
    }

    @JsonValue
    public String word() {
        return word;
    }

    public String plural() {
        return plural;
    }

    /** Number of straight sides; -1 for curved shapes that have no countable sides. */
    public int sides() {
        return sides;
    }

    /** The everyday thing the shape looks like (primary answer of the look-alike question). */
    public String lookalike() {
        return lookalike;
    }

    /** A second acceptable look-alike. */
    public String lookalike2() {
        return lookalike2;
    }

    /** The value named {@code word}. */
    @JsonCreator
    public static Shape fromWord(String word) {
        for (Shape v : values()) {
            if (v.word.equals(word)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown shape '" + word + "'");
    }
}
