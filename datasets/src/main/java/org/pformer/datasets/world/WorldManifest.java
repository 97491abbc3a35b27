package org.pformer.datasets.world;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;

/**
 * {@code world.json}: what was generated (spec, counts, concept split), where each dataset is (paths relative to
 * the world directory, images relative to {@code images/}), and the SHA-256 of every file — per annotation file,
 * and per image set as the digest of its sorted "name sha256" listing. {@code digest} covers all of them.
 */
public record WorldManifest(
        String format,
        int version,
        WorldSpec spec,
        WorldSize counts,
        List<Shape> shapes,
        List<Colour> colours,
        ConceptSplit split,
        Datasets datasets,
        Map<String, FileDigest> files,
        Map<String, ImageSetDigest> imageSets,
        String digest) {

    public static final String FILE = "world.json";
    public static final String FORMAT = "pformer-world";
    public static final int VERSION = 1;

    /** A file's size and SHA-256. */
    public record FileDigest(long bytes, String sha256) {}

    /** An image directory: how many PNGs, their total size, the SHA-256 of the "name sha256\n" listing. */
    public record ImageSetDigest(int images, long bytes, String sha256) {}

    /** A LAVIS annotation list and the root its {@code image} fields are relative to. */
    public record Annotations(String annotations, String images) {}

    /**
     * Official VQA layout; {@code imageTemplate} names an image from its id (String.format); {@code domains} maps
     * question ids to the NoCaps-style domain of the question's image (a world extra for per-domain accuracy).
     */
    public record VqaFiles(String questions, String annotations, String images, String imageTemplate,
                           String domains) {}

    /** A caption test set: the LAVIS list and the COCO-format references. */
    public record CaptionFiles(String annotations, String references, String images) {}

    /** Where everything is. */
    public record Datasets(
            Annotations pretrainPairs,
            Annotations webPairs,
            List<String> sentences,
            List<String> qaPassages,
            VqaFiles vqav2,
            VqaFiles okvqa,
            Annotations gqa,
            String gqaDomains,
            CaptionFiles nocaps,
            CaptionFiles cocoCaption,
            Annotations retrieval,
            String pformerTokenizer,
            String llmTokenizer) {}

    public static WorldManifest read(Path worldDir) throws IOException {
        Path f = worldDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, "no world manifest (world not generated?)");
        }
        try {
            WorldManifest m = Json.MAPPER.readValue(f.toFile(), WorldManifest.class);
            if (!FORMAT.equals(m.format()) || m.version() != VERSION) {
                throw new MalformedDataException(f.toString(), "format " + m.format() + " v" + m.version()
                        + ", expected " + FORMAT + " v" + VERSION);
            }
            return m;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedDataException(f.toString(), "not a world manifest: " + e.getOriginalMessage(), e);
        }
    }
}
