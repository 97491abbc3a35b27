package org.pformer.datasets.world;

import java.util.List;

/** Spatial relations between two objects, with paraphrases. */
public enum Relation {
    LEFT_OF(List.of("to the left of", "left of", "on the left of"), "left"),
    RIGHT_OF(List.of("to the right of", "right of", "on the right of"), "right"),
    ABOVE(List.of("above", "over"), "above"),
    BELOW(List.of("below", "under", "beneath"), "below");

    private final List<String> phrases;
    private final String answer;

    Relation(List<String> phrases, String answer) {
        this.phrases = phrases;
        this.answer = answer;
    }

    public List<String> phrases() {
        return phrases;
    }

    /** The canonical phrase. */
    public String phrase() {
        return phrases.get(0);
    }

    /** The one-word answer ("left"). */
    public String answer() {
        return answer;
    }

    public Relation opposite() {
        return switch (this) {
            case LEFT_OF -> RIGHT_OF;
            case RIGHT_OF -> LEFT_OF;
            case ABOVE -> BELOW;
            case BELOW -> ABOVE;
        };
    }
}
