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

    /** The optional domain field of a record; an unknown label is an error naming the record. */
    static NocapsDomain optional(AnnotationFile.Fields record, String field)
            throws org.pformer.datasets.io.MalformedDataException {
        if (!record.has(field)) {
            return null;
        }
        NocapsDomain d = fromLabel(record.text(field));
        if (d == null) {
            throw record.error(field, "one of in-domain, near-domain, out-domain");
        }
        return d;
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
