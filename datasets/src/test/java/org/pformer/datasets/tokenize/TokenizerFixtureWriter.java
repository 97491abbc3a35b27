package org.pformer.datasets.tokenize;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Step 1 of the tokenizer fixture (see fixtures/README.md): builds the world-style tokenizers from
 * {@code tokenizer_corpus.txt} with the production builders. {@link TokenizerParityTest} checks that the committed
 * files are still what the builders produce.
 */
public final class TokenizerFixtureWriter {

    static final int LLM_VOCAB = 1024;

    private TokenizerFixtureWriter() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "datasets/src/test/resources/org/pformer/datasets/fixtures");
        write(dir.resolve("tokenizer_corpus.txt"), dir.resolve("fixture_pformer_tokenizer.json"),
                dir.resolve("fixture_llm_tokenizer.json"));
    }

    static void write(Path corpus, Path pformerOut, Path llmOut) throws Exception {
        WordPieceTokenizerBuilder wp = new WordPieceTokenizerBuilder(1);
        ByteLevelBpeBuilder bpe = new ByteLevelBpeBuilder(LLM_VOCAB, 2);
        for (String line : Files.readAllLines(corpus)) {
            wp.add(line);
            bpe.add(line + "\n");
        }
        wp.write(pformerOut);
        bpe.write(llmOut);
    }
}
