package org.pformer.workflows;

import io.temporal.common.SearchAttributeKey;

/** Search attributes the pipeline sets (registered by infra/local/services.sh on the local server). */
public final class SearchAttributes {

    public static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("PformerStage");
    public static final SearchAttributeKey<String> CONFIG_HASH = SearchAttributeKey.forKeyword("PformerConfigHash");
    public static final SearchAttributeKey<Double> OMEGA1 = SearchAttributeKey.forDouble("PformerOmega1");
    public static final SearchAttributeKey<Double> OMEGA2 = SearchAttributeKey.forDouble("PformerOmega2");
    public static final SearchAttributeKey<String> RUN_NAME = SearchAttributeKey.forKeyword("PformerRunName");

    private SearchAttributes() {}
}
