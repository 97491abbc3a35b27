package org.pformer.metrics.caption;

import java.util.ArrayList;
import java.util.List;
import org.pformer.metrics.PythonText;

/**
 * Tokenised predictions and references turned into n-gram counts once, shared by BLEU and CIDEr-D (both split the
 * tokenised text with Python's {@code str.split()}).
 */
record CountedCorpus(List<NgramTable.Counts> predictions, List<NgramTable.Counts[]> references, int ngramCount) {

    static CountedCorpus of(List<String> predictions, List<List<String>> references) {
        NgramTable table = new NgramTable();
        List<NgramTable.Counts> hyps = new ArrayList<>(predictions.size());
        List<NgramTable.Counts[]> refs = new ArrayList<>(predictions.size());
        for (int i = 0; i < predictions.size(); i++) {
            hyps.add(table.count(PythonText.split(predictions.get(i))));
            List<String> r = references.get(i);
            NgramTable.Counts[] counted = new NgramTable.Counts[r.size()];
            for (int j = 0; j < counted.length; j++) {
                counted[j] = table.count(PythonText.split(r.get(j)));
            }
            refs.add(counted);
        }
        return new CountedCorpus(hyps, refs, table.ngramCount());
    }

    List<MetricScores> bleu() {
        return Bleu.score(predictions, references, ngramCount);
    }

    MetricScores cider() {
        return CiderD.score(predictions, references, ngramCount);
    }
}
