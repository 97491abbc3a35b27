package org.pformer.metrics.vqa;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** GQA exact-match accuracy in percent, and whether each question was answered correctly. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GqaReport(int questions, double overall, Map<String, Boolean> perQuestion) {
    public GqaReport {
        perQuestion = Collections.unmodifiableMap(new LinkedHashMap<>(perQuestion));
    }
}
