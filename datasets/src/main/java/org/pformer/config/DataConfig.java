package org.pformer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * Input data. {@code source: world} generates the shipped benchmark world (BENCHMARK.md) and ignores the other
 * keys; {@code source: files} reads the real datasets in their LAVIS layouts from local paths or s3:// URIs.
 */
public record DataConfig(
        @NotNull(message = "missing; expected a value") @Pattern(regexp = "world|files", message = "expected 'world' or 'files'") String source,
        @NotNull(message = "missing; expected a value") List<@NotNull(message = "missing; expected a value") String> sentences,
        @NotNull(message = "missing; expected a value") List<@NotNull(message = "missing; expected a value") @Valid ImageAnnotations> pairs,
        @Valid VqaFiles vqav2,
        @Valid VqaFiles okvqa,
        @Valid ImageAnnotations gqa,
        @Valid ImageAnnotations nocaps,
        @Valid ImageAnnotations cocoCaption,
        @Valid ImageAnnotations retrieval) {

    static final String PATH = "missing; expected a local path or an s3:// URI";

    /** With real data, the P-Former needs sentences and stages 1-2 need image-text pairs. */
    @JsonIgnore
    @AssertTrue(message = "with source: files, 'sentences' and 'pairs' must each name at least one input")
    public boolean isFilesSourceComplete() {
        return !"files".equals(source) || (sentences != null && !sentences.isEmpty() && pairs != null && !pairs.isEmpty());
    }

    /** A LAVIS annotation file (JSON list) and the root its {@code image} fields are relative to. */
    public record ImageAnnotations(@NotNull(message = PATH) String annotations, @NotNull(message = PATH) String images) {}

    /** Official VQAv2 / OK-VQA layout: a questions file, an annotations file and the image root. */
    public record VqaFiles(@NotNull(message = PATH) String questions, @NotNull(message = PATH) String annotations,
                           @NotNull(message = PATH) String images) {}
}
