package org.pformer.activities.tracking;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.pformer.store.ArtifactRef;

/** One spooled tracking call, as a line of JSON in the spool. {@code seq} orders the calls of one spool. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
record TrackingEvent(long seq, Type type, RunKey run, Map<String, String> params, List<MetricPoint> metrics,
                     Map<String, String> tags, String status, String artifactPath, ArtifactRef artifact) {

    enum Type { START, PARAMS, METRICS, TAGS, ARTIFACT, END }

    static TrackingEvent of(Type type, RunKey run) {
        return new TrackingEvent(0, type, run, null, null, null, null, null, null);
    }

    TrackingEvent withSeq(long newSeq) {
        return new TrackingEvent(newSeq, type, run, params, metrics, tags, status, artifactPath, artifact);
    }
}
