package org.pformer.model.eval;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pformer.datasets.image.ImagePreprocessor;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.pformer.datasets.world.WorldGenerator;
import org.pformer.datasets.world.WorldManifest;
import org.pformer.datasets.world.WorldSpec;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.blip2.Blip2Stage1;
import org.pformer.model.blip2.Blip2Stage2;
import org.pformer.model.blip2.QFormerConfig;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.opt.OptForCausalLM;
import org.pformer.model.vit.VitConfig;
import org.pformer.model.vit.VitModel;

/**
 * The tiny benchmark world (generated once per JVM, 32×32 images) and tiny randomly initialised BLIP-2 models sized
 * to its tokenizers, for the evaluator tests.
 */
final class EvalWorld {

    static final int IMAGE_SIZE = 32;
    private static Path dir;
    private static WorldManifest manifest;

    private EvalWorld() {}

    static synchronized Path dir() {
        if (dir == null) {
            try {
                Path d = Files.createTempDirectory("pformer-eval-world");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
                manifest = WorldGenerator.generate(new WorldSpec("tiny", 7, IMAGE_SIZE), d);
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }

    static synchronized WorldManifest manifest() {
        dir();
        return manifest;
    }

    static Path file(String relative) {
        return dir().resolve(relative);
    }

    static Path images() {
        return file("images");
    }

    static ImagePreprocessor preprocessor() {
        return new ImagePreprocessor(ImagePreprocessor.Options.world(IMAGE_SIZE));
    }

    static LlmTokenizer llmTokenizer() throws IOException {
        return LlmTokenizer.load(file(manifest().datasets().llmTokenizer()), 0);
    }

    static PFormerTokenizer retrievalTokenizer() throws IOException {
        return PFormerTokenizer.load(file(manifest().datasets().pformerTokenizer()),
                PFormerTokenizer.RETRIEVAL_TEXT_TOKENS);
    }

    private static VitModel frozenVit(NDManager m) {
        VitModel vit = new VitModel(ParameterFactory.random(m, 11),
                new VitConfig(IMAGE_SIZE, 8, 3, 32, 1, 4, 64, 1e-6, 0.0, 0.0, false));
        vit.freeze();
        vit.eval();
        return vit;
    }

    private static QFormerConfig qformer(int vocab, int decId) {
        BertConfig bert = new BertConfig(vocab, 32, 2, 4, 64, 40, 0, 1e-12, 0.1, 0.1, 0, 0, false)
                .withQueryCrossAttention(2, 32);
        return new QFormerConfig(bert, 4, 16, decId, 0.07, 0.001, 0.5, 0.1, 0.1, 1e-5);
    }

    /** Stage 2 around a random frozen ViT and a random frozen LLM with the world LLM tokenizer's vocabulary. */
    static Blip2Stage2 stage2(NDManager m, LlmTokenizer llmTok) throws IOException {
        try (PFormerTokenizer tok = retrievalTokenizer()) {
            OptForCausalLM llm = new OptForCausalLM(ParameterFactory.random(m, 13),
                    new OptConfig(llmTok.vocabSize(), 32, 1, 4, 64, 96, 32, true, 0.0, 0.0, llmTok.padId(),
                            llmTok.bosId()));
            llm.freeze();
            llm.eval();
            return new Blip2Stage2(ParameterFactory.random(m, 17), qformer(tok.vocabSize(), tok.decId()),
                    frozenVit(m), llm);
        }
    }

    /** Stage 1 (no alignment projection) around a random frozen ViT, with the world's WordPiece vocabulary. */
    static Blip2Stage1 stage1(NDManager m, PFormerTokenizer tok) {
        return new Blip2Stage1(ParameterFactory.random(m, 19), qformer(tok.vocabSize(), tok.decId()), frozenVit(m), 0);
    }
}
