package org.pformer.model.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pformer.model.io.SafeTensors;
import org.pformer.model.io.TensorSource;

/**
 * An EVA-CLIP ViT checkpoint (LAVIS {@code eva_vit.py} names, converted to safetensors) seen in HF ViT names, so
 * {@code WeightLoader.load(vit, EvaVitWeights.of(file, config), NameMapping.IDENTITY, …)} fills a {@link VitModel}.
 * The fused {@code attn.qkv.weight} is split into query/key/value; {@code q_bias}/{@code v_bias} become the query
 * and value biases and the key bias is zero (as EVA computes it). Blocks beyond {@code config.numLayers()} are
 * dropped (BLIP-2 uses 39 of EVA ViT-g's 40), as are the final norm when the config has none and any
 * classification head; every other unmapped tensor is an error.
 */
public final class EvaVitWeights implements TensorSource {

    private static final Pattern BLOCK = Pattern.compile("^blocks\\.(\\d+)\\.(.+)$");
    private static final List<Pattern> DROPPABLE = List.of(Pattern.compile("^head\\..*"),
            Pattern.compile("^fc_norm\\..*"), Pattern.compile(".*relative_position_index$"));

    /** Where one HF-named tensor comes from: a whole EVA tensor, a row range of one, or zeros. */
    private record Spec(String source, long fromRow, long toRow, Shape shape) {}

    private final SafeTensors eva;
    private final Map<String, Spec> specs;

    private EvaVitWeights(SafeTensors eva, Map<String, Spec> specs) {
        this.eva = eva;
        this.specs = specs;
    }

    /** A view of {@code eva} in the HF ViT layout of {@code config}; validates the file's names first. */
    public static EvaVitWeights of(SafeTensors eva, VitConfig config) throws IOException {
        Map<String, Shape> src = eva.shapes();
        Map<String, Spec> specs = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        List<String> missing = new ArrayList<>();
        long h = config.hiddenSize();
        Shape bias = new Shape(h);
        direct(specs, used, missing, src, "embeddings.cls_token", "cls_token");
        direct(specs, used, missing, src, "embeddings.position_embeddings", "pos_embed");
        for (String p : new String[] {"weight", "bias"}) {
            direct(specs, used, missing, src, "embeddings.patch_embeddings.projection." + p, "patch_embed.proj." + p);
        }
        for (int i = 0; i < config.numLayers(); i++) {
            String b = "blocks." + i + ".";
            String l = "encoder.layer." + i + ".";
            for (String p : new String[] {"weight", "bias"}) {
                direct(specs, used, missing, src, l + "layernorm_before." + p, b + "norm1." + p);
                direct(specs, used, missing, src, l + "layernorm_after." + p, b + "norm2." + p);
                direct(specs, used, missing, src, l + "attention.output.dense." + p, b + "attn.proj." + p);
                direct(specs, used, missing, src, l + "intermediate.dense." + p, b + "mlp.fc1." + p);
                direct(specs, used, missing, src, l + "output.dense." + p, b + "mlp.fc2." + p);
            }
            String qkv = b + "attn.qkv.weight";
            if (src.containsKey(qkv)) {
                used.add(qkv);
                String[] parts = {"query", "key", "value"};
                for (int k = 0; k < 3; k++) {
                    specs.put(l + "attention.attention." + parts[k] + ".weight",
                            new Spec(qkv, k * h, (k + 1) * h, new Shape(h, src.get(qkv).get(1))));
                }
            } else {
                missing.add(qkv);
            }
            optionalBias(specs, used, src, l + "attention.attention.query.bias", b + "attn.q_bias", bias);
            specs.put(l + "attention.attention.key.bias", new Spec(null, 0, 0, bias));
            optionalBias(specs, used, src, l + "attention.attention.value.bias", b + "attn.v_bias", bias);
        }
        if (config.finalLayerNorm()) {
            for (String p : new String[] {"weight", "bias"}) {
                direct(specs, used, missing, src, "layernorm." + p, "norm." + p);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : src.keySet()) {
            if (!used.contains(name) && !droppable(name, config)) {
                unexpected.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("EVA ViT checkpoint " + eva.description() + " does not fit " + config
                    + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (unexpected.isEmpty() ? "" : "; unexpected " + unexpected));
        }
        return new EvaVitWeights(eva, Collections.unmodifiableMap(specs));
    }

    private static boolean droppable(String name, VitConfig config) {
        Matcher m = BLOCK.matcher(name);
        if (m.matches()) {
            return Integer.parseInt(m.group(1)) >= config.numLayers();
        }
        if (!config.finalLayerNorm() && name.startsWith("norm.")) {
            return true;
        }
        return DROPPABLE.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static void direct(Map<String, Spec> specs, Set<String> used, List<String> missing,
            Map<String, Shape> src, String target, String source) {
        Shape s = src.get(source);
        if (s == null) {
            missing.add(source);
            return;
        }
        used.add(source);
        specs.put(target, new Spec(source, -1, -1, s));
    }

    private static void optionalBias(Map<String, Spec> specs, Set<String> used, Map<String, Shape> src,
            String target, String source, Shape shape) {
        if (src.containsKey(source)) {
            used.add(source);
            specs.put(target, new Spec(source, -1, -1, src.get(source)));
        } else {
            specs.put(target, new Spec(null, 0, 0, shape)); // qkv_bias=False: zero biases
        }
    }

    @Override
    public String description() {
        return eva.description() + " (EVA ViT layout)";
    }

    @Override
    public Map<String, Shape> shapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        specs.forEach((n, s) -> out.put(n, s.shape()));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws IOException {
        Spec s = specs.get(name);
        if (s == null) {
            throw new IllegalArgumentException(description() + " has no tensor '" + name + "'");
        }
        if (s.source() == null) {
            return manager.zeros(s.shape(), type);
        }
        NDArray whole = eva.load(s.source(), manager, type);
        if (s.fromRow() < 0) {
            return whole;
        }
        NDArray view = whole.get(new NDIndex("{}:{}", s.fromRow(), s.toRow()));
        NDArray rows = view.duplicate();
        view.close();
        whole.close();
        return rows;
    }
}
