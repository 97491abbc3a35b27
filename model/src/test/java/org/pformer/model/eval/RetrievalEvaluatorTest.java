package org.pformer.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.model.blip2.Blip2Stage1;

class RetrievalEvaluatorTest {

    private static NDManager manager;
    private static PFormerTokenizer tokenizer;
    private static Blip2Stage1 model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void model() throws IOException {
        manager = NDManager.newBaseManager("PyTorch");
        tokenizer = EvalWorld.retrievalTokenizer();
        model = EvalWorld.stage1(manager, tokenizer);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        manager.close();
    }

    private static RetrievalEvaluator evaluator(int k, int batch, int block) {
        return new RetrievalEvaluator(model, tokenizer, EvalWorld.preprocessor(),
                new RetrievalEvaluator.Options(k, PFormerTokenizer.RETRIEVAL_TEXT_TOKENS, batch, block));
    }

    private static RetrievalEvaluator.RetrievalFiles world() {
        return new RetrievalEvaluator.RetrievalFiles(
                EvalWorld.file(EvalWorld.manifest().datasets().retrieval().annotations()), EvalWorld.images());
    }

    @Test
    void reportsRecallBothWaysWithKCappedAtTheGallery() throws IOException {
        Path report = tmp.resolve("retrieval/report.json");
        List<long[]> progress = new ArrayList<>();
        int arraysBefore = manager.getManagedArrays().size();
        RetrievalEvalReport r = evaluator(128, 16, 256).evaluate(world(), report,
                (d, t) -> progress.add(new long[] {d, t}));
        assertThat(manager.getManagedArrays()).hasSize(arraysBefore); // nothing is left behind on the device
        JsonNode list = Json.MAPPER.readTree(world().annotations().toFile());
        int images = list.size();
        int texts = 0;
        for (JsonNode e : list) {
            texts += e.get("caption").size();
        }
        JsonNode rep = Json.MAPPER.readTree(report.toFile());
        assertThat(rep.get("task").asText()).isEqualTo("retrieval");
        assertThat(rep.get("images").asInt()).isEqualTo(images);
        assertThat(rep.get("texts").asInt()).isEqualTo(texts);
        assertThat(rep.get("k_test").asInt()).isEqualTo(128);
        assertThat(rep.get("k_image_to_text").asInt()).isEqualTo(texts);
        assertThat(rep.get("k_text_to_image").asInt()).isEqualTo(images);
        assertThat(rep.get("tie_breaking").asText()).contains("lower candidate index");
        for (String dir : List.of("txt", "img")) {
            double r1 = rep.get(dir + "_r1").asDouble();
            double r5 = rep.get(dir + "_r5").asDouble();
            double r10 = rep.get(dir + "_r10").asDouble();
            assertThat(r1).isBetween(0.0, 100.0).isLessThanOrEqualTo(r5);
            assertThat(r5).isLessThanOrEqualTo(r10).isLessThanOrEqualTo(100.0);
            assertThat(rep.get(dir + "_r_mean").asDouble()).isCloseTo((r1 + r5 + r10) / 3, within(1e-9));
        }
        assertThat(images).isLessThanOrEqualTo(10);
        assertThat(rep.get("img_r10").asDouble()).isEqualTo(100.0); // 10 or fewer images: always within 10
        assertThat(r.recall().rMean()).isEqualTo(rep.get("r_mean").asDouble());
        long total = 2L * (images + texts);
        assertThat(progress.get(progress.size() - 1)).containsExactly(total, total);
        for (int i = 1; i < progress.size(); i++) {
            assertThat(progress.get(i)[0]).isGreaterThan(progress.get(i - 1)[0]);
        }
    }

    @Test
    void rowBlocksAndItmBatchesDoNotChangeTheResult() throws IOException {
        RetrievalEvalReport whole = evaluator(3, 64, 1000).evaluate(world(), tmp.resolve("a.json"), EvalProgress.NONE);
        RetrievalEvalReport blocked = evaluator(3, 5, 3).evaluate(world(), tmp.resolve("b.json"), EvalProgress.NONE);
        assertThat(blocked.recall()).isEqualTo(whole.recall());
        assertThat(blocked.kImageToText()).isEqualTo(3);
        assertThat(blocked.kTextToImage()).isEqualTo(3);
    }

    @Test
    void badInputAndCancellation() throws IOException {
        RetrievalEvaluator e = evaluator(4, 8, 8);
        Path missing = tmp.resolve("none.json");
        assertThatThrownBy(() -> e.evaluate(new RetrievalEvaluator.RetrievalFiles(missing, tmp), tmp.resolve("r.json"),
                EvalProgress.NONE)).isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString());
        Files.write(tmp.resolve("a.png"), new byte[] {1});
        Path empty = Files.writeString(tmp.resolve("test.json"),
                "[{\"image\": \"a.png\", \"caption\": [\"a cat\"]}, {\"image\": \"a.png\", \"caption\": []}]");
        assertThatThrownBy(() -> e.evaluate(new RetrievalEvaluator.RetrievalFiles(empty, tmp), tmp.resolve("r.json"),
                EvalProgress.NONE)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("record 1").hasMessageContaining("'caption'");
        Path noImage = Files.writeString(tmp.resolve("test2.json"), "[{\"image\": \"b.png\", \"caption\": [\"x\"]}]");
        assertThatThrownBy(() -> e.evaluate(new RetrievalEvaluator.RetrievalFiles(noImage, tmp), tmp.resolve("r.json"),
                EvalProgress.NONE)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(tmp.resolve("b.png").toString()).hasMessageContaining("entry 0");

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> e.evaluate(world(), tmp.resolve("r.json"), EvalProgress.NONE))
                    .isInstanceOf(EvaluationCancelledException.class).hasMessageContaining("retrieval");
        } finally {
            Thread.interrupted();
        }
        assertThat(tmp.resolve("r.json")).doesNotExist();

        try (PFormerTokenizer shorter = PFormerTokenizer.load(
                EvalWorld.file(EvalWorld.manifest().datasets().pformerTokenizer()), 32)) {
            assertThatThrownBy(() -> new RetrievalEvaluator(model, shorter, EvalWorld.preprocessor(),
                    RetrievalEvaluator.Options.defaults())).hasMessageContaining("truncates to 32");
        }
    }
}
