package org.pformer.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's small module system: named parameters (HuggingFace names, hierarchical with dots, e.g.
 * {@code encoder.layer.0.attention.self.query.weight}), child modules, train/eval mode (dropout on/off) and
 * freezing (frozen parameters take no gradient and are excluded from the optimizer).
 *
 * <p>Forward methods are ordinary typed Java methods of each subclass. Activations are created in the manager of
 * the input, so a caller that keeps inputs in a per-step manager keeps every intermediate there too.
 */
public abstract class Module {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    protected final Parameter addParameter(
            ParameterFactory factory, String name, Shape shape, ParameterFactory.Init init) {
        checkName(name);
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name in " + getClass().getSimpleName() + ": " + name);
        }
        Parameter p = factory.create(shape, init);
        parameters.put(name, p);
        return p;
    }

    protected final <M extends Module> M addChild(String name, M child) {
        checkName(name);
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate name in " + getClass().getSimpleName() + ": " + name);
        }
        children.put(name, child);
        child.setTraining(training);
        return child;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.startsWith(".") || name.endsWith(".")) {
            throw new IllegalArgumentException("bad module/parameter name: '" + name + "'");
        }
    }

    /** All parameters of this module and its descendants, by full dotted name, in registration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    /** Trainable (non-frozen) parameters by full name, in registration order: what the optimizer updates. */
    public final Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> {
            if (!p.isFrozen()) {
                out.put(n, p);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of scalar parameters (trainable or not). */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /** Training mode: dropout active. Applies to all descendants. */
    public Module train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode: dropout disabled. Applies to all descendants. */
    public Module eval() {
        setTraining(false);
        return this;
    }

    final void setTraining(boolean value) {
        training = value;
        children.values().forEach(c -> c.setTraining(value));
    }

    public final boolean isTraining() {
        return training;
    }

    /** Freezes every parameter of this module and its descendants. */
    public Module freeze() {
        namedParameters().values().forEach(p -> p.setFrozen(true));
        return this;
    }

    /** Makes every parameter of this module and its descendants trainable again. */
    public Module unfreeze() {
        namedParameters().values().forEach(p -> p.setFrozen(false));
        return this;
    }

    /**
     * Casts all parameters to {@code dataType} (e.g. FLOAT16 for a frozen LLM on a GPU). Only frozen modules can
     * be cast: trainable parameters and their optimizer state stay FLOAT32.
     */
    public void castFrozen(DataType dataType) {
        List<String> trainable = new ArrayList<>(trainableParameters().keySet());
        if (!trainable.isEmpty() && dataType != DataType.FLOAT32) {
            throw new IllegalStateException(
                    "only frozen modules can change precision; trainable: " + trainable.subList(0,
                            Math.min(5, trainable.size())));
        }
        for (Parameter p : namedParameters().values()) {
            if (p.dataType() != dataType) {
                NDArray cast = p.array().toType(dataType, false);
                p.replace(cast);
            }
        }
    }

    /** The data type of this module's parameters (they share one); FLOAT32 for a module without parameters. */
    public final DataType dataType() {
        return namedParameters().values().stream().findFirst().map(Parameter::dataType).orElse(DataType.FLOAT32);
    }
}
