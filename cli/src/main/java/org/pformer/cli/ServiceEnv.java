package org.pformer.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the services are, from the environment that {@code infra/local/env.sh} exports (defaults: the local
 * services on 127.0.0.1), and where this installation lives.
 */
record ServiceEnv(String temporalAddress, String namespace, String temporalUi, String mlflowUri, Path home, Path state) {

    static ServiceEnv fromEnvironment() {
        String temporal = env("PFORMER_TEMPORAL_ADDRESS", "127.0.0.1:7233");
        String ui = "http://127.0.0.1:" + env("PFORMER_TEMPORAL_UI_PORT", "8233");
        String state = System.getenv("PFORMER_STATE");
        return new ServiceEnv(temporal, env("PFORMER_TEMPORAL_NAMESPACE", "default"), ui,
                env("PFORMER_MLFLOW_TRACKING_URI", "http://127.0.0.1:5000"), installationHome(),
                state != null && !state.isBlank() ? Path.of(state)
                        : Path.of(System.getProperty("user.home"), ".local", "state", "pformer"));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The repository/installation root: -Dpformer.home (set by bin/pformer), else the working directory. */
    private static Path installationHome() {
        String h = System.getProperty("pformer.home");
        return (h != null ? Path.of(h) : Path.of("")).toAbsolutePath().normalize();
    }

    /** The commit the code was built from, for MLflow tags; "unknown" outside a git checkout. */
    String gitCommit() {
        try {
            Path head = home.resolve(".git/HEAD");
            if (!Files.exists(head)) {
                return "unknown";
            }
            Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && out.matches("[0-9a-f]{40}") ? out : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }

    String workflowLink(String workflowId) {
        return temporalUi + "/namespaces/" + namespace + "/workflows/" + workflowId;
    }
}
