package org.pformer.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pformer.model.nn.Module;
import org.pformer.model.nn.Parameter;

/**
 * Loads a safetensors checkpoint into a module, strictly: every module parameter must be present (unless listed
 * as allowed to stay missing), every file tensor must map to a parameter or be deliberately ignored by the
 * {@link NameMapping}, and shapes must match. All problems are reported together, each naming the tensor and
 * both shapes. Values are converted to each parameter's current data type.
 */
public final class WeightLoader {

    /** What a successful load did. */
    public record Report(List<String> loaded, List<String> ignored) {}

    private WeightLoader() {}

    public static Report load(Module module, Path file, NameMapping mapping) throws IOException {
        return load(module, file, mapping, Set.of());
    }

    /**
     * @param allowedMissing module parameter names that may be absent from the file (they keep their values)
     */
    public static Report load(Module module, Path file, NameMapping mapping, Set<String> allowedMissing)
            throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            return load(module, st, mapping, allowedMissing);
        }
    }

    public static Report load(Module module, TensorSource st, NameMapping mapping, Set<String> allowedMissing)
            throws IOException {
        Map<String, Parameter> params = module.namedParameters();
        Map<String, String> plan = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Shape> t : st.shapes().entrySet()) {
            String name = t.getKey();
            Optional<String> target = mapping.map(name);
            if (target.isEmpty()) {
                ignored.add(name);
                continue;
            }
            Parameter p = params.get(target.get());
            if (p == null) {
                unexpected.add("'" + name + "' " + t.getValue() + (name.equals(target.get()) ? ""
                        : " (as '" + target.get() + "')"));
            } else if (!p.shape().equals(t.getValue())) {
                mismatched.add("'" + name + "': file " + t.getValue() + " vs model " + p.shape());
            } else if (plan.put(target.get(), name) != null) {
                unexpected.add("'" + name + "' maps onto '" + target.get() + "' a second time");
            }
        }
        List<String> missing = new ArrayList<>();
        params.forEach((name, p) -> {
            if (!plan.containsKey(name) && !allowedMissing.contains(name)) {
                missing.add("'" + name + "' " + p.shape());
            }
        });
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder("cannot load ").append(st.description()).append(" into ")
                    .append(module.getClass().getSimpleName()).append(':');
            append(sb, "missing tensors", missing);
            append(sb, "unexpected tensors", unexpected);
            append(sb, "shape mismatches", mismatched);
            throw new IllegalArgumentException(sb.toString());
        }
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, String> e : plan.entrySet()) {
            Parameter p = params.get(e.getKey());
            NDArray value = st.load(e.getValue(), p.array().getManager(), p.dataType());
            p.replace(value);
            loaded.add(e.getKey());
        }
        return new Report(List.copyOf(loaded), List.copyOf(ignored));
    }

    private static void append(StringBuilder sb, String title, List<String> items) {
        if (!items.isEmpty()) {
            sb.append("\n  ").append(title).append(" (").append(items.size()).append("): ");
            sb.append(String.join(", ", items.subList(0, Math.min(items.size(), 20))));
            if (items.size() > 20) {
                sb.append(", …");
            }
        }
    }
}
