package org.pformer.model.blip2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.pformer.model.bert.BertModel;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.TensorSource;
import org.pformer.model.io.WeightLoader;
import org.pformer.model.nn.Embedding;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;

/**
 * BLIP-2's Q-Former with LAVIS names ({@code bert.*}, {@code cls.predictions.*}; the owning model registers it as
 * {@code Qformer}): a BERT whose query positions cross-attend to the image tokens and use their own FFN, and a
 * language-model head tied to the word embeddings for ITG. The learned query tokens belong to the owning model
 * ({@code query_tokens}, as in LAVIS).
 *
 * <p>Built without the text path (stage 2), it has neither word/position embeddings nor the text FFN nor the LM
 * head, exactly as LAVIS's {@code blip2_opt.py} strips them.
 */
public final class QFormer extends Module {

    private final QFormerConfig config;
    private final BertModel bert;
    private final LmHead cls;

    public QFormer(ParameterFactory f, QFormerConfig c, boolean withTextPath) {
        this.config = c;
        bert = addChild("bert", new BertModel(f, c.bert(), withTextPath));
        cls = withTextPath ? addChild("cls", new LmHead(f, c)) : null;
    }

    public QFormerConfig config() {
        return config;
    }

    public boolean hasTextPath() {
        return cls != null;
    }

    /**
     * The image-only pass: query outputs (B, Q, H) for query embeddings (B, Q, H) attending to each other and,
     * in the cross-attention layers, to all image tokens (B, N, W).
     */
    public NDArray queryStates(NDArray queryEmbeds, NDArray imageEmbeds) {
        NDArray x = bert.embeddings().forward(null, queryEmbeds);
        return bert.encode(x, null, imageEmbeds, null, (int) queryEmbeds.getShape().get(1));
    }

    /** The text-only pass: text states (B, T, H) for (B, T) ids and their 0/1 padding mask (no queries, no image). */
    public NDArray textStates(NDArray ids, NDArray mask) {
        requireTextPath();
        return bert.forward(ids, mask);
    }

    /**
     * One pass over [queries ; text] (B, Q+T, H) with one of BLIP-2's three self-attention masks; queries
     * cross-attend to the image tokens.
     */
    public NDArray jointStates(NDArray queryEmbeds, NDArray ids, NDArray mask, NDArray imageEmbeds,
            QueryTextMask kind) {
        requireTextPath();
        int q = (int) queryEmbeds.getShape().get(1);
        NDArray x = bert.embeddings().forward(ids, queryEmbeds);
        return bert.encode(x, kind.build(q, mask), imageEmbeds, null, q);
    }

    /** Vocabulary logits (B, T, V) of text states through the tied LM head ({@code cls.predictions}). */
    public NDArray lmLogits(NDArray textStates) {
        requireTextPath();
        return cls.predictions.forward(textStates, bert.embeddings().wordEmbeddings());
    }

    /**
     * Initialises the Q-Former from a {@code bert-base-uncased}-style checkpoint as LAVIS does
     * ({@code BertLMHeadModel.from_pretrained} + {@code resize_token_embeddings}): the encoder and MLM head are
     * loaded, rows of the word table (and LM-head bias) beyond the file's vocabulary ([DEC]) keep their initial
     * values, the cross-attention layers stay as initialised, and each query FFN ({@code *_query}) starts as a
     * copy of its text FFN. A bare BertModel checkpoint (no MLM head) leaves {@code cls.*} as initialised.
     */
    public WeightLoader.Report initFromBert(Path bertSafetensors) throws IOException {
        requireTextPath();
        Map<String, Parameter> params = namedParameters();
        Set<String> allowedMissing = new LinkedHashSet<>();
        params.keySet().stream()
                .filter(n -> n.contains(".crossattention.") || n.contains("_query.") || n.startsWith("cls."))
                .forEach(allowedMissing::add);
        WeightLoader.Report report;
        try (SafeTensors st = SafeTensors.open(bertSafetensors)) {
            report = WeightLoader.load(this, new GrownVocabulary(st, params), Blip2Names.BERT_TO_QFORMER,
                    allowedMissing);
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            if (name.contains(".intermediate_query.") || name.contains(".output_query.")) {
                Parameter text = params.get(name.replace("_query.", "."));
                e.getValue().replace(text.array().duplicate());
            }
        }
        return report;
    }

    private void requireTextPath() {
        if (cls == null) {
            throw new IllegalStateException("this Q-Former has only the query path (stage 2): no text input");
        }
    }

    /** {@code cls}: holds {@code predictions}. */
    static final class LmHead extends Module {
        final Predictions predictions;

        LmHead(ParameterFactory f, QFormerConfig c) {
            predictions = addChild("predictions", new Predictions(f, c));
        }
    }

    /**
     * {@code cls.predictions}: {@code transform.dense} + GELU + {@code transform.LayerNorm}, then the decoder tied to
     * the word embeddings plus an output-only {@code bias} (HF {@code BertLMPredictionHead}).
     */
    static final class Predictions extends Module {
        private final Transform transform;
        private final Parameter bias;

        Predictions(ParameterFactory f, QFormerConfig c) {
            transform = addChild("transform", new Transform(f, c));
            bias = addParameter(f, "bias", new Shape(c.bert().vocabSize()), ParameterFactory.ZEROS);
        }

        NDArray forward(NDArray states, Embedding wordEmbeddings) {
            NDArray h = transform.layerNorm.forward(Functional.gelu(transform.dense.forward(states)));
            return ai.djl.nn.core.Linear.linear(h, wordEmbeddings.weight().array(), bias.array()).singletonOrThrow();
        }
    }

    static final class Transform extends Module {
        final Linear dense;
        final LayerNorm layerNorm;

        Transform(ParameterFactory f, QFormerConfig c) {
            dense = addChild("dense", new Linear(f, c.hiddenSize(), c.hiddenSize()));
            layerNorm = addChild("LayerNorm", new LayerNorm(f, c.hiddenSize(), c.bert().layerNormEps()));
        }
    }

    /**
     * A checkpoint seen with the Q-Former's larger vocabulary: the word table and the LM-head bias report the
     * model's row count, and loading them appends the model's current rows beyond the file's ([DEC]), as
     * {@code resize_token_embeddings} keeps the old rows and initialises the new ones.
     */
    private static final class GrownVocabulary implements TensorSource {
        private static final Set<String> GROWN = Set.of("bert.embeddings.word_embeddings.weight",
                "cls.predictions.bias");
        private final SafeTensors file;
        private final Map<String, Parameter> params;
        private final Map<String, Shape> shapes = new LinkedHashMap<>();

        GrownVocabulary(SafeTensors file, Map<String, Parameter> params) {
            this.file = file;
            this.params = params;
            file.shapes().forEach((name, shape) -> {
                Parameter p = GROWN.contains(name) ? params.get(name) : null;
                boolean grows = p != null && shape.dimension() == p.shape().dimension()
                        && shape.get(0) < p.shape().get(0)
                        && shape.slice(1).equals(p.shape().slice(1));
                shapes.put(name, grows ? p.shape() : shape);
            });
        }

        @Override
        public String description() {
            return file.description();
        }

        @Override
        public Map<String, Shape> shapes() {
            return shapes;
        }

        @Override
        public NDArray load(String name, NDManager manager, DataType type) throws IOException {
            NDArray loaded = file.load(name, manager, type);
            Parameter p = params.get(name);
            if (p == null || !GROWN.contains(name) || loaded.getShape().equals(p.shape())) {
                return loaded;
            }
            long rows = loaded.getShape().get(0);
            NDArray extra = p.array().get("{}:", rows).toType(type, true);
            NDArray grown = loaded.concat(extra, 0);
            loaded.close();
            extra.close();
            return grown;
        }
    }
}
