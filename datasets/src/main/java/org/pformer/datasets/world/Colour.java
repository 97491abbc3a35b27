package org.pformer.datasets.world;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The eight colours of the world: their rendering RGB, the colours annotators confuse them with, and the things
 * of that colour that the sentence corpus mentions (world knowledge for the OK-VQA-like questions).
 */
public enum Colour {
    RED("red", 215, 40, 40, "orange", "tomato", "strawberry"),
    ORANGE("orange", 245, 140, 25, "yellow", "carrot", "pumpkin"),
    YELLOW("yellow", 240, 220, 45, "orange", "lemon", "sunflower"),
    GREEN("green", 45, 165, 65, "cyan", "grass", "leaf"),
    CYAN("cyan", 45, 205, 215, "blue", "ice", "glacier"),
    BLUE("blue", 45, 80, 215, "purple", "sky", "ocean"),
    PURPLE("purple", 140, 60, 195, "pink", "grape", "plum"),
    PINK("pink", 250, 125, 185, "red", "flamingo", "pig");

    private final String word;
    private final int r;
    private final int g;
    private final int b;
    private final String confusedWith;
    private final String thing;
    private final String thing2;

    Colour(String word, int r, int g, int b, String confusedWith, String thing, String thing2) {
        this.word = word;
        this.r = r;
        this.g = g;
        this.b = b;
        this.confusedWith = confusedWith;
        this.thing = thing;
        this.thing2 = thing2;
    }

    @JsonValue
    public String word() {
        return word;
    }

    public int r() {
        return r;
    }

    public int g() {
        return g;
    }

    public int b() {
        return b;
    }

    /** The colour a careless annotator names instead. */
    public String confusedWith() {
        return confusedWith;
    }

    /** A thing of this colour (primary answer of the same-colour question). */
    public String thing() {
        return thing;
    }

    public String thing2() {
        return thing2;
    }

    /** The value named {@code word}. */
    @JsonCreator
    public static Colour fromWord(String word) {
        for (Colour v : values()) {
            if (v.word.equals(word)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown colour '" + word + "'");
    }
}
