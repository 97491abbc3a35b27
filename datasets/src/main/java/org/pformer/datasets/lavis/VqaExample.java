package org.pformer.datasets.lavis;

/**
 * A VQA question joined with its annotation ({@code null} for a split without answers) and its image path
 * (relative to the image root).
 */
public record VqaExample(VqaQuestion question, VqaAnnotation annotation, String image) {}
