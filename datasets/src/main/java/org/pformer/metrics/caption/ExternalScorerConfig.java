package org.pformer.metrics.caption;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the two caption metrics that only exist as Java programs of the COCO caption evaluator are found:
 * METEOR 1.5 ({@code meteor-1.5.jar}, with its {@code data/paraphrase-en.gz} beside it, as pycocoevalcap ships
 * it) and SPICE 1.0 ({@code spice-1.0.jar} with its {@code lib/}, plus Stanford CoreNLP 3.6.0 and its models, and
 * on Java 15+ a standalone Nashorn script engine, given as {@code spiceClasspath}).
 *
 * <p>From the environment: {@code PFORMER_METEOR_JAR}, {@code PFORMER_SPICE_JAR}, {@code PFORMER_SPICE_CLASSPATH}
 * (entries separated by the platform path separator; {@code dir/*} allowed), or the system properties
 * {@code pformer.meteor.jar}, {@code pformer.spice.jar}, {@code pformer.spice.classpath}, which win.
 *
 * @param meteorJar       the METEOR 1.5 jar, if configured
 * @param spiceJar        the SPICE 1.0 jar, if configured
 * @param spiceClasspath  extra class-path entries for SPICE (CoreNLP 3.6.0 + models, Nashorn + ASM)
 * @param java            the java launcher (default: the one running this JVM)
 */
public record ExternalScorerConfig(Optional<Path> meteorJar, Optional<Path> spiceJar, List<String> spiceClasspath,
        Path java) {
    public static final String METEOR_JAR_ENV = "PFORMER_METEOR_JAR";
    public static final String SPICE_JAR_ENV = "PFORMER_SPICE_JAR";
    public static final String SPICE_CLASSPATH_ENV = "PFORMER_SPICE_CLASSPATH";

    public ExternalScorerConfig {
        spiceClasspath = List.copyOf(spiceClasspath);
    }

    /** No external scorer: METEOR and SPICE are reported as unavailable. */
    public static ExternalScorerConfig none() {
        return new ExternalScorerConfig(Optional.empty(), Optional.empty(), List.of(), currentJava());
    }

    public static ExternalScorerConfig fromEnvironment() {
        return from(System.getenv(), System.getProperties()::getProperty);
    }

    static ExternalScorerConfig from(Map<String, String> env, UnaryOperator<String> props) {
        Optional<Path> meteor = setting(env, props, METEOR_JAR_ENV, "pformer.meteor.jar").map(Path::of);
        Optional<Path> spice = setting(env, props, SPICE_JAR_ENV, "pformer.spice.jar").map(Path::of);
        List<String> cp = new ArrayList<>();
        setting(env, props, SPICE_CLASSPATH_ENV, "pformer.spice.classpath").ifPresent(s -> {
            for (String entry : s.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    cp.add(entry.strip());
                }
            }
        });
        return new ExternalScorerConfig(meteor, spice, cp, currentJava());
    }

    private static Optional<String> setting(Map<String, String> env, UnaryOperator<String> props,
            String envName, String property) {
        String v = props.apply(property);
        if (v == null || v.isBlank()) {
            v = env.get(envName);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Why METEOR cannot run with this configuration, or empty when its jar is there. */
    Optional<String> meteorProblem() {
        return jarProblem(meteorJar, METEOR_JAR_ENV, "meteor-1.5.jar");
    }

    /** Why SPICE cannot run with this configuration, or empty when its jar is there. */
    Optional<String> spiceProblem() {
        return jarProblem(spiceJar, SPICE_JAR_ENV, "spice-1.0.jar");
    }

    private static Optional<String> jarProblem(Optional<Path> jar, String env, String name) {
        if (jar.isEmpty()) {
            return Optional.of(env + " is not set (path to pycocoevalcap's " + name + ")");
        }
        if (!Files.isRegularFile(jar.get())) {
            return Optional.of(env + " names " + jar.get() + ", which is not a file");
        }
        return Optional.empty();
    }
}
