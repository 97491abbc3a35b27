package org.pformer.model.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search over a {@link Generator.Session}, mirroring HF transformers' {@code _beam_search} with
 * {@code BeamSearchScorer} and {@code BeamHypotheses} (4.40, {@code early_stopping=False}, one returned sequence):
 * beam scores are float sums of processed log-probabilities; a hypothesis' score is computed in double.
 */
final class BeamSearch {

    /** HF's initial score of every beam but the first, so that step 0 expands one beam only. */
    private static final float INACTIVE_BEAM = -1e9f;

    private final GenerationConfig config;
    private final int beams;
    private final Item[] items;

    BeamSearch(GenerationConfig config, int batch) {
        this.config = config;
        this.beams = config.numBeams();
        this.items = new Item[batch];
        for (int b = 0; b < batch; b++) {
            items[b] = new Item(beams);
        }
    }

    /** A finished (or, at the end, unfinished) hypothesis. */
    private record Hypothesis(double score, long[] tokens, boolean finished) {}

    /** One input's live beams and its n-best list of hypotheses. */
    private static final class Item {
        final float[] beamScores;
        long[][] histories;
        int[] rowOfBeam; // index of each beam's row in the previous session call
        final List<Hypothesis> hypotheses = new ArrayList<>();
        double worstScore = 1e9;
        boolean done;

        Item(int beams) {
            beamScores = new float[beams];
            Arrays.fill(beamScores, 1, beams, INACTIVE_BEAM);
            histories = new long[beams][0];
        }
    }

    List<Generated> run(Generator.Session session) {
        int candidatesPerItem = Math.max(2, 1 + config.eosTokenIds().length) * beams;
        for (int t = 0; t < config.maxNewTokens(); t++) {
            List<Integer> liveItems = new ArrayList<>();
            for (int b = 0; b < items.length; b++) {
                if (!items[b].done) {
                    liveItems.add(b);
                }
            }
            if (liveItems.isEmpty()) {
                break;
            }
            int rows = liveItems.size() * beams;
            int[] itemOfRow = new int[rows];
            long[][] histories = new long[rows][];
            int[] parents = t == 0 ? null : new int[rows];
            for (int i = 0; i < liveItems.size(); i++) {
                Item item = items[liveItems.get(i)];
                for (int k = 0; k < beams; k++) {
                    int r = i * beams + k;
                    itemOfRow[r] = liveItems.get(i);
                    histories[r] = item.histories[k];
                    if (parents != null) {
                        parents[r] = item.rowOfBeam[k];
                    }
                }
            }
            float[][] scores = session.next(itemOfRow, histories, parents, true);
            for (int i = 0; i < liveItems.size(); i++) {
                step(items[liveItems.get(i)], scores, i * beams, candidatesPerItem, t);
            }
        }
        List<Generated> out = new ArrayList<>();
        for (Item item : items) {
            if (!item.done) {
                // finalize: every open beam becomes a hypothesis (length = tokens generated)
                for (int k = 0; k < beams; k++) {
                    add(item, new Hypothesis(score(item.beamScores[k], item.histories[k].length),
                            item.histories[k], false));
                }
            }
            Hypothesis best = null;
            for (Hypothesis h : item.hypotheses) {
                if (best == null || h.score() >= best.score()) { // the last of equal scores, as HF's sorted().pop()
                    best = h;
                }
            }
            out.add(new Generated(best.tokens(), best.finished(), best.score()));
        }
        return out;
    }

    /** One step of one input: process its beams' scores, pick the next beams, file finished hypotheses. */
    private void step(Item item, float[][] scores, int firstRow, int candidates, int generatedBefore) {
        int vocab = scores[firstRow].length;
        for (int k = 0; k < beams; k++) {
            float[] row = scores[firstRow + k];
            LogitsProcessing.process(row, item.histories[k], generatedBefore, config);
            float beamScore = item.beamScores[k];
            for (int v = 0; v < vocab; v++) {
                row[v] = row[v] + beamScore;
            }
        }
        long[] top = topCandidates(scores, firstRow, vocab, candidates);
        float[] nextScores = new float[beams];
        long[][] nextHistories = new long[beams][];
        int[] nextRows = new int[beams];
        int filled = 0;
        int curLen = generatedBefore + 1;
        for (int rank = 0; rank < top.length && filled < beams; rank++) {
            int beam = (int) (top[rank] / vocab);
            int token = (int) (top[rank] % vocab);
            float score = scores[firstRow + beam][token];
            if (config.isEos(token)) {
                if (rank >= beams) {
                    continue; // an EOS outside the top-beams candidates is not a hypothesis
                }
                add(item, new Hypothesis(score(score, curLen), item.histories[beam], true));
            } else {
                nextScores[filled] = score;
                nextHistories[filled] = Generator.append(item.histories[beam], token);
                nextRows[filled] = firstRow + beam;
                filled++;
            }
        }
        if (filled < beams) {
            throw new IllegalStateException("beam search found only " + filled + " non-EOS candidates for "
                    + beams + " beams");
        }
        float best = scores[firstRow + (int) (top[0] / vocab)][(int) (top[0] % vocab)];
        item.done = isDone(item, best, curLen);
        System.arraycopy(nextScores, 0, item.beamScores, 0, beams);
        item.histories = nextHistories;
        item.rowOfBeam = nextRows;
    }

    /**
     * Flat indices (beam · V + token) of the {@code n} largest scores over the input's beams, best first; equal
     * scores in index order.
     */
    private long[] topCandidates(float[][] scores, int firstRow, int vocab, int n) {
        java.util.PriorityQueue<long[]> heap = new java.util.PriorityQueue<>(n + 1, (x, y) -> {
            // worst first: lower score, then higher index
            int c = Float.compare(Float.intBitsToFloat((int) x[0]), Float.intBitsToFloat((int) y[0]));
            return c != 0 ? c : Long.compare(y[1], x[1]);
        });
        for (int k = 0; k < beams; k++) {
            float[] row = scores[firstRow + k];
            for (int v = 0; v < vocab; v++) {
                float value = row[v];
                if (heap.size() == n) {
                    float worst = Float.intBitsToFloat((int) heap.peek()[0]);
                    if (!(value > worst)) {
                        continue; // later indices lose ties
                    }
                    heap.poll();
                }
                heap.add(new long[] {Float.floatToRawIntBits(value), (long) k * vocab + v});
            }
        }
        long[] out = new long[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll()[1];
        }
        return out;
    }

    private void add(Item item, Hypothesis h) {
        if (item.hypotheses.size() < beams || h.score() > item.worstScore) {
            item.hypotheses.add(h);
            if (item.hypotheses.size() > beams) {
                int worst = 0;
                for (int i = 1; i < item.hypotheses.size(); i++) {
                    if (item.hypotheses.get(i).score() < item.hypotheses.get(worst).score()) {
                        worst = i;
                    }
                }
                item.hypotheses.remove(worst);
                double second = Double.POSITIVE_INFINITY;
                for (Hypothesis x : item.hypotheses) {
                    second = Math.min(second, x.score());
                }
                item.worstScore = second;
            } else {
                item.worstScore = Math.min(h.score(), item.worstScore);
            }
        }
    }

    private boolean isDone(Item item, float bestCandidate, int curLen) {
        if (item.hypotheses.size() < beams) {
            return false;
        }
        return item.worstScore >= score(bestCandidate, curLen);
    }

    private double score(float sumLogProbs, int length) {
        return sumLogProbs / Math.pow(length, config.lengthPenalty());
    }
}
