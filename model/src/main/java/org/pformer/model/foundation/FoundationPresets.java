package org.pformer.model.foundation;

import java.util.List;
import java.util.Locale;
import org.pformer.model.bert.BertConfig;
import org.pformer.model.opt.OptConfig;
import org.pformer.model.vit.VitConfig;

/**
 * Sizes of the shipped world's stand-ins for the paper's frozen backbones (BENCHMARK.md): a small ViT trained
 * CLIP-style (for EVA-CLIP ViT-g) whose BERT text tower is kept as the world's pre-trained text encoder (for
 * BERT-base, which starts the P-Former and the Q-Former), and a small OPT-style causal LM (for OPT-2.7b). The one
 * place these sizes live: the Q-Former's cross-attention width is {@link Preset#visionWidth()} and the P-Former
 * prompt / stage-2 projection width H_llm is {@link Preset#llmWidth()}.
 *
 * <p>Images are cut into an 8 × 8 grid of patches whatever the resolution (64 px → 8 px patches, 32 px → 4 px),
 * so the Q-Former always sees 65 vision tokens.
 */
public final class FoundationPresets {

    /** Patches per image side. */
    public static final int PATCH_GRID = 8;

    /**
     * @param name the name used in pipeline configuration ({@code models.vision.preset} etc.)
     * @param heads attention heads of every tower
     * @param visionWidth ViT width (the Q-Former's cross-attention key/value width)
     * @param visionLayers ViT layers
     * @param textWidth width of the CLIP text tower (kept: the world's text encoder)
     * @param textLayers layers of the CLIP text tower
     * @param embedDim shared CLIP embedding width
     * @param textPositions positions of the CLIP text tower (longest caption, in word pieces)
     * @param llmWidth LLM width H_llm
     * @param llmLayers LLM decoder layers
     * @param llmPositions LLM positions (soft prompt + prompt + generated text)
     */
    public record Preset(String name, int heads, int visionWidth, int visionLayers, int textWidth, int textLayers,
                         int embedDim, int textPositions, int llmWidth, int llmLayers, int llmPositions) {

        /** The ViT for square images of {@code imageSize} pixels (a multiple of {@value #PATCH_GRID}). */
        public VitConfig vision(int imageSize) {
            if (imageSize <= 0 || imageSize % PATCH_GRID != 0) {
                throw new IllegalArgumentException("world.image_size " + imageSize + " does not fit the " + name
                        + " vision preset: expected a positive multiple of " + PATCH_GRID
                        + " (the ViT cuts images into an 8x8 grid of patches)");
            }
            return new VitConfig(imageSize, imageSize / PATCH_GRID, 3, visionWidth, visionLayers, heads,
                    4 * visionWidth, 1e-6, 0.0, 0.0, true);
        }

        /** The CLIP text tower over the world's BERT-style vocabulary. */
        public BertConfig textTower(int vocabSize) {
            return new BertConfig(vocabSize, textWidth, textLayers, heads, 4 * textWidth, textPositions,
                    2, 1e-12, 0.1, 0.1, 0, 0, false);
        }

        /** The CLIP model (vision tower, text tower, projections, temperature). */
        public ClipConfig clip(int imageSize, int textVocabSize) {
            return ClipConfig.defaults(vision(imageSize), textTower(textVocabSize), embedDim);
        }

        /** The causal LM over the world's OPT-style vocabulary (pad 1, BOS {@code </s>} 2, as OPT). */
        public OptConfig llm(int vocabSize) {
            return new OptConfig(vocabSize, llmWidth, llmLayers, heads, 4 * llmWidth, llmPositions,
                    llmWidth, true, 0.1, 0.0, 1, 2);
        }
    }

    private FoundationPresets() {}

    /**
     * {@code world-tiny}: the embedded default's backbones, sized so that both train in a few minutes on a
     * 2-core CPU (ViT 64 wide × 2 layers; LLM 64 wide × 2 layers).
     */
    public static Preset worldTiny() {
        return new Preset("world-tiny", 4, 64, 2, 64, 2, 64, 64, 64, 2, 128);
    }

    /** {@code world-small}: twice as wide and deep, for larger worlds or a GPU. */
    public static Preset worldSmall() {
        return new Preset("world-small", 4, 128, 4, 128, 2, 128, 64, 128, 4, 256);
    }

    public static List<Preset> all() {
        return List.of(worldTiny(), worldSmall());
    }

    /** The preset called {@code name} (case-insensitive), or a clear error listing the known ones. */
    public static Preset byName(String name) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return all().stream().filter(p -> p.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown foundation preset '" + name
                        + "'; expected one of " + all().stream().map(Preset::name).toList()));
    }
}
