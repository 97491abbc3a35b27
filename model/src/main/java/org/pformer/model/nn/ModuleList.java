package org.pformer.model.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;

/** An indexed list of child modules, named {@code 0, 1, ...} as in PyTorch's {@code nn.ModuleList}. */
public final class ModuleList<M extends Module> extends Module {

    private final List<M> items = new ArrayList<>();

    public ModuleList(int size, IntFunction<M> factory) {
        for (int i = 0; i < size; i++) {
            items.add(addChild(Integer.toString(i), factory.apply(i)));
        }
    }

    public M get(int index) {
        return items.get(index);
    }

    public int size() {
        return items.size();
    }

    public List<M> items() {
        return Collections.unmodifiableList(items);
    }
}
