package org.pformer.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.pformer.model.nn.Attention;
import org.pformer.model.nn.Dense;
import org.pformer.model.nn.Functional;
import org.pformer.model.nn.LayerNorm;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.ModuleList;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;

/**
 * ViT image encoder with HF {@code ViTModel} parameter names: patch embedding (a stride-P convolution),
 * {@code [CLS]} token, learned positions, pre-norm layers, optional final {@code layernorm}. Returns all tokens
 * (B, 1 + N, H), as BLIP-2 feeds them to the Q-Former.
 */
public final class VitModel extends Module {

    private final VitConfig config;
    private final Embeddings embeddings;
    private final ModuleList<Layer> layers;
    private final LayerNorm layernorm;

    public VitModel(ParameterFactory f, VitConfig c) {
        this.config = c;
        embeddings = addChild("embeddings", new Embeddings(f, c));
        layers = addChild("encoder", new Encoder(f, c)).layer;
        layernorm = c.finalLayerNorm()
                ? addChild("layernorm", new LayerNorm(f, c.hiddenSize(), c.layerNormEps()))
                : null;
    }

    public VitConfig config() {
        return config;
    }

    /** Token states (B, 1 + N, H) for images (B, C, S, S). */
    public NDArray forward(NDArray pixels) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != config.imageSize()
                || s.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("expected images (B, " + config.channels() + ", "
                    + config.imageSize() + ", " + config.imageSize() + "), got " + s);
        }
        NDArray x = embeddings.forward(pixels.toType(dataType(), false), config, isTraining());
        for (Layer layer : layers.items()) {
            x = layer.forward(x, config);
        }
        return layernorm == null ? x : layernorm.forward(x);
    }

    /** {@code embeddings}: {@code cls_token}, {@code position_embeddings}, {@code patch_embeddings.projection}. */
    static final class Embeddings extends Module {
        private final Parameter clsToken;
        private final Parameter positionEmbeddings;
        private final PatchEmbeddings patchEmbeddings;

        Embeddings(ParameterFactory f, VitConfig c) {
            clsToken = addParameter(f, "cls_token", new Shape(1, 1, c.hiddenSize()), ParameterFactory.NORMAL_002);
            positionEmbeddings = addParameter(f, "position_embeddings",
                    new Shape(1, c.numPatches() + 1, c.hiddenSize()), ParameterFactory.NORMAL_002);
            patchEmbeddings = addChild("patch_embeddings", new PatchEmbeddings(f, c));
        }

        NDArray forward(NDArray pixels, VitConfig c, boolean training) {
            NDArray patches = patchEmbeddings.forward(pixels, c); // (B, N, H)
            long b = patches.getShape().get(0);
            // zeros in the activation's manager + cls keeps the result out of the parameter manager
            NDArray cls = patches.getManager().zeros(new Shape(b, 1, c.hiddenSize()), patches.getDataType())
                    .add(clsToken.array());
            NDArray x = cls.concat(patches, 1).add(positionEmbeddings.array());
            return Functional.dropout(x, c.hiddenDropout(), training);
        }
    }

    /** {@code patch_embeddings.projection}: Conv2d(C → H, kernel = stride = P). */
    static final class PatchEmbeddings extends Module {
        private final Projection projection;

        PatchEmbeddings(ParameterFactory f, VitConfig c) {
            projection = addChild("projection", new Projection(f, c));
        }

        NDArray forward(NDArray pixels, VitConfig c) {
            NDArray y = Conv2d.conv2d(pixels, projection.weight.array(), projection.bias.array(),
                    new Shape(c.patchSize(), c.patchSize())).singletonOrThrow(); // (B, H, S/P, S/P)
            Shape s = y.getShape();
            return y.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
        }
    }

    static final class Projection extends Module {
        final Parameter weight;
        final Parameter bias;

        Projection(ParameterFactory f, VitConfig c) {
            weight = addParameter(f, "weight", new Shape(c.hiddenSize(), c.channels(), c.patchSize(), c.patchSize()),
                    ParameterFactory.NORMAL_002);
            bias = addParameter(f, "bias", new Shape(c.hiddenSize()), ParameterFactory.ZEROS);
        }
    }

    static final class Encoder extends Module {
        final ModuleList<Layer> layer;

        Encoder(ParameterFactory f, VitConfig c) {
            layer = addChild("layer", new ModuleList<>(c.numLayers(), i -> new Layer(f, c)));
        }
    }

    /** {@code encoder.layer.N}: pre-norm attention and MLP blocks with residuals. */
    static final class Layer extends Module {
        private final AttentionBlock attention;
        private final Dense intermediate;
        private final Dense output;
        private final LayerNorm layernormBefore;
        private final LayerNorm layernormAfter;

        Layer(ParameterFactory f, VitConfig c) {
            attention = addChild("attention", new AttentionBlock(f, c.hiddenSize()));
            intermediate = addChild("intermediate", new Dense(f, c.hiddenSize(), c.intermediateSize()));
            output = addChild("output", new Dense(f, c.intermediateSize(), c.hiddenSize()));
            layernormBefore = addChild("layernorm_before", new LayerNorm(f, c.hiddenSize(), c.layerNormEps()));
            layernormAfter = addChild("layernorm_after", new LayerNorm(f, c.hiddenSize(), c.layerNormEps()));
        }

        NDArray forward(NDArray x, VitConfig c) {
            boolean training = isTraining();
            NDArray h = layernormBefore.forward(x);
            NDArray ctx = Attention.scaledDotProduct(attention.attention.query.forward(h),
                    attention.attention.key.forward(h), attention.attention.value.forward(h), null, c.numHeads(),
                    1.0 / Math.sqrt((double) c.hiddenSize() / c.numHeads()), c.attentionDropout(), training);
            NDArray a = Functional.dropout(attention.output.forward(ctx), c.hiddenDropout(), training);
            x = x.add(a);
            NDArray m = Functional.gelu(intermediate.forward(layernormAfter.forward(x)));
            m = Functional.dropout(output.forward(m), c.hiddenDropout(), training);
            return x.add(m);
        }
    }

    /** {@code attention}: {@code attention.{query,key,value}} and {@code output.dense}. */
    static final class AttentionBlock extends Module {
        final Qkv attention;
        final Dense output;

        AttentionBlock(ParameterFactory f, int hidden) {
            attention = addChild("attention", new Qkv(f, hidden));
            output = addChild("output", new Dense(f, hidden, hidden));
        }
    }

    static final class Qkv extends Module {
        final Linear query;
        final Linear key;
        final Linear value;

        Qkv(ParameterFactory f, int hidden) {
            query = addChild("query", new Linear(f, hidden, hidden));
            key = addChild("key", new Linear(f, hidden, hidden));
            value = addChild("value", new Linear(f, hidden, hidden));
        }
    }

}
