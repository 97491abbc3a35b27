package org.pformer.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pformer.model.bench.AlignmentOverheadBenchmark.PairedRatio;
import org.pformer.model.bench.AlignmentOverheadBenchmark.Variant;
import org.pformer.model.nn.Linear;
import org.pformer.model.nn.Parameter;
import org.pformer.model.nn.ParameterFactory;
import org.pformer.model.train.AdamW;

/** The statistics of the paired alignment-overhead design (the timing itself is a benchmark, not a test). */
class AlignmentOverheadBenchmarkTest {

    @Test
    void theMediansConfidenceIntervalUsesTheTabulatedOrderStatistics() {
        // ranks of the distribution-free 95 % interval of a median (e.g. Conover, Practical Nonparametric Statistics)
        assertThat(PairedRatio.orderStatisticRank(6)).isEqualTo(1);
        assertThat(PairedRatio.orderStatisticRank(9)).isEqualTo(2);
        assertThat(PairedRatio.orderStatisticRank(20)).isEqualTo(6);
        assertThat(PairedRatio.orderStatisticRank(60)).isEqualTo(22);
        assertThat(PairedRatio.orderStatisticRank(100)).isEqualTo(40);
    }

    @Test
    void pairedRatiosAreTakenRoundByRound() {
        // a machine that slows down round after round: each round's ratio is 1.01 whatever the drift
        double[] base = new double[20];
        double[] variant = new double[20];
        for (int r = 0; r < base.length; r++) {
            base[r] = 0.1 * (1 + r);
            variant[r] = base[r] * 1.01;
        }
        variant[3] = base[3] * 3; // one round a burst of other work hit
        PairedRatio pr = PairedRatio.of(variant, base);
        assertThat(pr.median()).isCloseTo(1.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(pr.low()).isCloseTo(1.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(pr.high()).isCloseTo(1.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(pr.resolutionPercent()).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theScheduleRunsEveryVariantInEveryPositionEquallyOften() {
        List<List<Variant>> schedule = AlignmentOverheadBenchmark.schedule(60, new SplittableRandom(1));
        assertThat(schedule).hasSize(60).allSatisfy(order -> assertThat(order).containsExactlyInAnyOrder(
                Variant.values()));
        for (int position = 0; position < Variant.values().length; position++) {
            Map<Variant, Integer> counts = new EnumMap<>(Variant.class);
            for (List<Variant> order : schedule) {
                counts.merge(order.get(position), 1, Integer::sum);
            }
            assertThat(counts.values()).as("position %d", position).containsOnly(20);
        }
    }

    /**
     * The marginal-cost skeletons norm and update the whole model, as a step does: after the optimizer has laid the
     * parameters out in its fused groups, every parameter has a gradient again, and the update is the fused one.
     */
    @Test
    void theSkeletonsUpdateEveryParameterInTheFusedGroups() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Linear a = new Linear(ParameterFactory.random(manager, 1), 4, 3);
            Linear b = new Linear(ParameterFactory.random(manager, 2), 3, 2);
            Map<String, Parameter> params = new LinkedHashMap<>();
            a.trainableParameters().forEach((n, p) -> params.put("a." + n, p));
            b.trainableParameters().forEach((n, p) -> params.put("b." + n, p));
            assertThat(params).hasSize(4);
            AdamW adam = new AdamW(params, AdamW.Hyper.DEFAULT, manager);
            assertThat(params.values()).as("laid out in the fused groups, without gradients").allSatisfy(
                    p -> assertThat(p.gradientOrNull()).isNull());
            AlignmentOverheadBenchmark.withGradients(params, manager);
            assertThat(params.values()).allSatisfy(p -> assertThat(p.gradientOrNull()).isNotNull());
            float before = b.trainableParameters().values().iterator().next().array().getFloat(0, 0);
            params.values().forEach(Parameter::zeroGradient);
            assertThat(params.values()).as("zeroing keeps the gradients").allSatisfy(
                    p -> assertThat(p.gradientOrNull()).isNotNull());
            adam.step(1e-2, 1.0, AdamW.gradients(params));
            assertThat(adam.lastFusedParameters()).isEqualTo(4);
            assertThat(b.trainableParameters().values().iterator().next().array().getFloat(0, 0))
                    .as("decoupled weight decay moves a weight even with a zero gradient").isNotEqualTo(before);
        }
    }
}
