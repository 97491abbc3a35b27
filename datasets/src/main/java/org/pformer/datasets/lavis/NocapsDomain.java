package org.pformer.datasets.lavis;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** NoCaps image domains, spelled as in the official annotations. */
public enum NocapsDomain {
    IN("in-domain"),
    NEAR("near-domain"),
    OUT("out-domain");

    private final String label;

    NocapsDomain(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    /** Parses the official label; null for an unknown one. */
    @JsonCreator
    public static NocapsDomain fromLabel(String label) {
        for (NocapsDomain d : values()) {
            if (d.label.equals(label)) {
                return d;
            }
        }
        return null;
    }
}
