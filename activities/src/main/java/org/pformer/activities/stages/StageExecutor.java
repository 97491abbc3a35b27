package org.pformer.activities.stages;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.pformer.activities.StageRun;
import org.pformer.activities.api.FailureTypes;
import org.pformer.activities.api.StageRequest;
import org.pformer.activities.api.StageResult;
import org.pformer.config.ConfigException;
import org.pformer.config.StageName;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.model.nn.NoGrad;
import org.pformer.model.train.NonFiniteLossException;
import org.pformer.store.ArtifactIntegrityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of a stage inside its {@link StageRun} and turns failures that retrying cannot fix into
 * non-retryable ones ({@link FailureTypes}): bad configuration, unusable input data, a non-finite loss, a corrupt
 * upstream artifact. Everything else (I/O to a store that is down, a killed process, …) stays retryable: the next
 * attempt resumes from the last checkpoint.
 */
public final class StageExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(StageExecutor.class);

    /** The body of a stage. */
    @FunctionalInterface
    public interface Body {
        StageResult run(StageRun run) throws Exception;
    }

    /** A configuration that cannot be run (names the key and what was expected). */
    public static final class InvalidStageConfig extends RuntimeException {
        public InvalidStageConfig(String message) {
            super(message);
        }
    }

    private final StageEnvironment env;

    public StageExecutor(StageEnvironment env) {
        this.env = env;
    }

    public StageEnvironment env() {
        return env;
    }

    public StageResult execute(StageRequest request, Body body) {
        StageRun run = StageRun.begin(request, env.store(request), env.tracker(), env.heartbeat().get(),
                env.workRoot());
        try {
            if (request.stage() == StageName.INGEST) {
                return body.run(run); // no tensors: the ingestion worker need not load PyTorch
            }
            // activity threads are fresh threads, where libtorch records autograd by default: model stages run
            // without it, and the trainer turns it on only inside its gradient collector
            try (NoGrad noGrad = NoGrad.enter()) {
                return body.run(run);
            }
        } catch (Exception | Error e) {
            run.end(e);
            RuntimeException mapped = classify(request, e);
            if (mapped instanceof ApplicationFailure af && af.isNonRetryable()) {
                LOG.error("stage {} failed permanently: {}", request.stage().id(), af.getOriginalMessage());
            }
            throw mapped;
        }
    }

    /** The failure the workflow sees for {@code e}. */
    static RuntimeException classify(StageRequest request, Throwable e) {
        String stage = "stage " + request.stage().id() + ": ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure af) {
                return af;
            }
            if (t instanceof NonFiniteLossException) {
                return FailureTypes.nonRetryable(FailureTypes.NON_FINITE_LOSS, stage + t.getMessage()
                        + " (the last good checkpoint is kept; lower the learning rate and resume)", null);
            }
            if (t instanceof MalformedDataException || t instanceof NoSuchFileException) {
                return FailureTypes.nonRetryable(FailureTypes.INVALID_DATA, stage + describe(t), null);
            }
            if (t instanceof ConfigException || t instanceof InvalidStageConfig) {
                return FailureTypes.nonRetryable(FailureTypes.INVALID_CONFIG, stage + t.getMessage(), null);
            }
            if (t instanceof ArtifactIntegrityException) {
                return FailureTypes.nonRetryable(FailureTypes.CORRUPT_ARTIFACT, stage + t.getMessage(), null);
            }
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof IOException io) {
            return new UncheckedIOException(stage + io.getMessage(), io);
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new RuntimeException(stage + e.getMessage(), e);
    }

    private static String describe(Throwable t) {
        if (t instanceof NoSuchFileException nsf) {
            return "missing file " + nsf.getFile() + (nsf.getReason() == null ? "" : " (" + nsf.getReason() + ")");
        }
        return t.getMessage();
    }
}
