package org.pformer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;

/** Sentence ingestion: cleaning as LAVIS {@code blip_caption}, length filters, exact de-duplication, sharding. */
public record IngestConfig(
        @Min(value = 1, message = "expected an integer >= 1") int minWords,
        @Min(value = 1, message = "expected an integer >= 1") int maxWords,
        boolean dedupe,
        @Min(value = 1, message = "expected an integer >= 1") int shardSize,
        @Min(value = 16, message = "expected an integer >= 16") int maxLineChars) {

    @JsonIgnore
    @AssertTrue(message = "min_words must not exceed max_words")
    public boolean isWordRangeOrdered() {
        return minWords <= maxWords;
    }
}
