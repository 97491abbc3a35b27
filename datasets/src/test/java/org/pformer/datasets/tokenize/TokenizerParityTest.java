package org.pformer.datasets.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.Fixtures;
import org.pformer.datasets.io.Json;

/**
 * The world tokenizers, built in Java, encode through DJL exactly as the Python {@code tokenizers} package encodes
 * them (fixtures/tokenizer_expected.json), and decode back to the text.
 */
class TokenizerParityTest {

    private static JsonNode expected;

    @BeforeAll
    static void load() throws IOException {
        expected = Json.MAPPER.readTree(Fixtures.path("tokenizer_expected.json").toFile());
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void buildersReproduceTheCommittedTokenizerFiles(@TempDir Path tmp) throws Exception {
        TokenizerFixtureWriter.write(Fixtures.path("tokenizer_corpus.txt"), tmp.resolve("p.json"),
                tmp.resolve("l.json"));
        assertThat(Files.readAllBytes(tmp.resolve("p.json")))
                .isEqualTo(Files.readAllBytes(Fixtures.path("fixture_pformer_tokenizer.json")));
        assertThat(Files.readAllBytes(tmp.resolve("l.json")))
                .isEqualTo(Files.readAllBytes(Fixtures.path("fixture_llm_tokenizer.json")));
    }

    @Test
    void wordPieceEncodesAsPythonTokenizers() throws Exception {
        try (HfTokenizer full = HfTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 0);
             PFormerTokenizer p32 = PFormerTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 32)) {
            for (JsonNode c : expected.get("cases")) {
                String text = c.get("text").asText();
                assertThat(full.encode(text, true)).as(text).containsExactly(ints(c.get("pformer_ids")));
                assertThat(p32.encode(text)).as(text).containsExactly(ints(c.get("pformer_ids_32")));
                assertThat(p32.decode(ints(c.get("pformer_ids")))).as(text)
                        .isEqualTo(c.get("pformer_decoded").asText());
            }
        }
    }

    @Test
    void byteLevelBpeEncodesAsPythonTokenizersAndRoundTrips() throws Exception {
        try (HfTokenizer bpe = HfTokenizer.load(Fixtures.path("fixture_llm_tokenizer.json"), 0);
             LlmTokenizer llm = LlmTokenizer.load(Fixtures.path("fixture_llm_tokenizer.json"), 0)) {
            for (JsonNode c : expected.get("cases")) {
                String text = c.get("text").asText();
                int[] withNewline = ints(c.get("llm_ids_with_newline"));
                assertThat(bpe.encode(text + "\n", false)).as(text).containsExactly(withNewline);
                assertThat(bpe.encode(text, true)).as(text).containsExactly(ints(c.get("llm_ids_with_bos")));
                // The caption sequence is BOS + ids(text + "\n"), and decoding gives the text back exactly.
                int[] caption = llm.encodeCaption(text);
                assertThat(caption[0]).isEqualTo(llm.bosId());
                assertThat(Arrays.copyOfRange(caption, 1, caption.length)).containsExactly(withNewline);
                assertThat(caption[caption.length - 1]).isEqualTo(llm.newlineId());
                assertThat(llm.decode(caption, true)).isEqualTo(text + "\n")
                        .isEqualTo(c.get("llm_decoded").asText());
            }
        }
    }

    @Test
    void batchEncodingEqualsSingleEncodingAndReportsTruncation() throws Exception {
        try (PFormerTokenizer p = PFormerTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 12);
             LlmTokenizer l = LlmTokenizer.load(Fixtures.path("fixture_llm_tokenizer.json"), 12)) {
            List<String> texts = new ArrayList<>();
            for (JsonNode c : expected.get("cases")) {
                texts.add(c.get("text").asText());
            }
            boolean[] pt = new boolean[texts.size()];
            boolean[] lt = new boolean[texts.size()];
            int[][] pb = p.encodeBatch(texts, pt);
            int[][] lb = l.encodeCaptions(texts, lt);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(pb[i]).containsExactly(p.encode(texts.get(i)));
                assertThat(lb[i]).containsExactly(l.encodeCaption(texts.get(i)));
                assertThat(pb[i].length).isLessThanOrEqualTo(12);
                assertThat(lb[i].length).isLessThanOrEqualTo(12);
                assertThat(pb[i][0]).isEqualTo(p.clsId());
                assertThat(pb[i][pb[i].length - 1]).isEqualTo(p.sepId());
                assertThat(lb[i][0]).isEqualTo(l.bosId());
                try (HfTokenizer full = HfTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 0)) {
                    assertThat(pt[i]).as(texts.get(i)).isEqualTo(full.encode(texts.get(i), true).length > 12);
                }
                assertThat(lt[i]).isEqualTo(l.hf().encode(texts.get(i) + "\n", false).length > 11);
            }
            assertThat(pt).contains(true, false);
            assertThat(lt).contains(true, false);
        }
    }

    @Test
    void specialTokensFollowBertAndOpt() throws Exception {
        try (PFormerTokenizer p = PFormerTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 32);
             LlmTokenizer l = LlmTokenizer.load(Fixtures.path("fixture_llm_tokenizer.json"), 32)) {
            assertThat(List.of(p.padId(), p.unkId(), p.clsId(), p.sepId(), p.maskId())).containsExactly(0, 1, 2, 3, 4);
            // [DEC] comes after the vocabulary, as LAVIS adds it to bert-base-uncased.
            assertThat(p.decId()).isEqualTo(p.vocabSize() - 1);
            assertThat(p.hf().table().id("[DEC]")).isEqualTo(p.decId());
            assertThat(l.bosId()).isEqualTo(2);
            assertThat(l.padId()).isEqualTo(1);
            assertThat(l.encode("\n", false)).containsExactly(l.newlineId());
        }
    }

    @Test
    void decIsAppendedWhenTheFileLacksIt(@TempDir Path tmp) throws Exception {
        // A BERT tokenizer.json as HF ships bert-base-uncased: no [DEC]; BLIP-2 appends it at the vocabulary size.
        JsonNode root = Json.MAPPER.readTree(Fixtures.path("fixture_pformer_tokenizer.json").toFile());
        var added = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens");
        int vocab = root.get("model").get("vocab").size();
        added.remove(added.size() - 1);
        Path bert = tmp.resolve("tokenizer.json");
        Json.MAPPER.writeValue(bert.toFile(), root);
        try (PFormerTokenizer p = PFormerTokenizer.load(tmp, 32)) {
            assertThat(p.decId()).isEqualTo(vocab);
            assertThat(p.vocabSize()).isEqualTo(vocab + 1);
        }
    }

    @Test
    void unusableFilesFailWithTheirName(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"model\": ");
        assertThatThrownBy(() -> HfTokenizer.load(broken, 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("broken.json");
        assertThatThrownBy(() -> HfTokenizer.load(tmp.resolve("missing.json"), 0))
                .hasMessageContaining("missing.json");
        // A WordPiece file is no LLM tokenizer: it has no </s>.
        assertThatThrownBy(() -> LlmTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 32))
                .hasMessageContaining("</s>");
    }
}
