package org.pformer.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * World mode only: how the world's frozen backbones are trained before the pipeline proper, standing in for the
 * web-scale pretrained EVA ViT-g (CLIP-style, on the "web" image-caption set) and OPT (on the sentence corpus).
 */
public record FoundationConfig(@NotNull(message = "missing; expected a value") @Valid TrainConfig vision, @NotNull(message = "missing; expected a value") @Valid TrainConfig llm) {}
