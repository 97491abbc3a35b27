package org.pformer.datasets.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.io.Sha256;

/**
 * {@code manifest.json} of an ingested corpus: the shards with their digests, the tokenizers' digests, the
 * options, the inputs and the full drop report. Deterministic: the same inputs, options and tokenizers give the
 * same bytes (no timestamps), so the manifest's own digest identifies the corpus.
 *
 * @param job fingerprint of (inputs, options, tokenizers): what a resumed run must match
 */
public record ShardManifest(
        String format,
        int version,
        String job,
        long sentences,
        List<Shard> shards,
        TokenizerInfo pformerTokenizer,
        TokenizerInfo llmTokenizer,
        IngestOptions options,
        List<Input> inputs,
        IngestCounts counts,
        List<MalformedSample> malformedSamples) {

    public static final String FILE = "manifest.json";
    public static final String FORMAT = "pformer-token-shards";

    public ShardManifest {
        shards = List.copyOf(shards);
        inputs = List.copyOf(inputs);
        malformedSamples = List.copyOf(malformedSamples);
    }

    /** One shard file. */
    public record Shard(String file, long sentences, long bytes, String sha256) {}

    /** A tokenizer by the digest of its tokenizer.json. */
    public record TokenizerInfo(String sha256, int maxTokens, int vocabSize) {}

    /** One input file and the number of items read from it. */
    public record Input(String name, long size, long items) {}

    public static ShardManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no token-shard manifest (ingestion not finished?)");
        }
        ShardManifest m;
        try {
            m = Json.MAPPER.readValue(file.toFile(), ShardManifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedDataException(file.toString(), "not a token-shard manifest: " + e.getOriginalMessage(),
                    e);
        }
        if (!FORMAT.equals(m.format()) || m.version() != TokenShardFormat.VERSION) {
            throw new MalformedDataException(file.toString(), "format " + m.format() + " v" + m.version()
                    + ", expected " + FORMAT + " v" + TokenShardFormat.VERSION);
        }
        return m;
    }

    /** Checks every shard's size and SHA-256 against the manifest. */
    public void verify(Path dir) throws IOException {
        for (Shard s : shards) {
            Path f = dir.resolve(s.file());
            if (!Files.isRegularFile(f)) {
                throw new NoSuchFileException(f.toString(), null, "listed in the manifest but missing");
            }
            long size = Files.size(f);
            if (size != s.bytes()) {
                throw new MalformedDataException(f.toString(), "size " + size + " bytes, the manifest says "
                        + s.bytes());
            }
            String sha = Sha256.of(f);
            if (!sha.equals(s.sha256())) {
                throw new MalformedDataException(f.toString(), "SHA-256 " + sha + ", the manifest says " + s.sha256());
            }
        }
    }
}
