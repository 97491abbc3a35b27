package org.pformer.datasets.world;

/** Background textures (each also adds pixel noise so nothing is pixel-trivial). */
public enum Background {
    PLAIN("plain"),
    STRIPED("striped"),
    DOTTED("dotted");

    private final String word;

    Background(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
