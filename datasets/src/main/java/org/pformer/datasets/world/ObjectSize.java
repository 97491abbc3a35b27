package org.pformer.datasets.world;

import java.util.List;

/** Object sizes and their paraphrases. */
public enum ObjectSize {
    SMALL("small", List.of("small", "little", "tiny")),
    LARGE("large", List.of("large", "big"));

    private final String word;
    private final List<String> synonyms;

    ObjectSize(String word, List<String> synonyms) {
        this.word = word;
        this.synonyms = synonyms;
    }

    public String word() {
        return word;
    }

    public List<String> synonyms() {
        return synonyms;
    }
}
