package org.pformer.model.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pformer.metrics.caption.CaptionMetrics;

/** Per-domain means of per-item scores (the world's in- / near- / out-domain split). */
final class DomainMeans {

    private DomainMeans() {}

    /**
     * The mean score of each domain: NoCaps' domains first in their order, then any other in order of appearance;
     * a domain without items is left out.
     *
     * @param scores item id to score
     * @param domainOf item id to domain; must cover every scored item
     */
    static Map<String, Double> of(Map<String, Double> scores, Map<String, String> domainOf) {
        Map<String, List<Double>> groups = new LinkedHashMap<>();
        CaptionMetrics.NOCAPS_DOMAINS.forEach(d -> groups.put(d, new ArrayList<>()));
        scores.forEach((id, s) -> {
            String d = domainOf.get(id);
            if (d == null) {
                throw new IllegalArgumentException("item " + id + " has no domain");
            }
            groups.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
        });
        Map<String, Double> out = new LinkedHashMap<>();
        groups.forEach((d, xs) -> {
            if (!xs.isEmpty()) {
                double sum = 0;
                for (double x : xs) {
                    sum += x;
                }
                out.put(d, sum / xs.size());
            }
        });
        return out;
    }
}
