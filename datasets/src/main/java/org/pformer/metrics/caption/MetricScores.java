package org.pformer.metrics.caption;

/**
 * One metric over one evaluation set: the corpus score as the reference evaluator reports it and one score per
 * image, in the order of the images given.
 */
record MetricScores(CaptionMetric metric, double corpus, double[] perImage) {
}
