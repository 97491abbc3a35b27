package org.pformer.datasets.world;

import java.util.List;
import java.util.Optional;
import org.pformer.datasets.lavis.NocapsDomain;

/** A world image's content: 1–3 objects in distinct grid cells, a background, and its concept domain. */
public record Scene(List<WorldObject> objects, Background background) {

    public Scene {
        objects = List.copyOf(objects);
    }

    /** Objects with this shape. */
    public List<WorldObject> withShape(Shape s) {
        return objects.stream().filter(o -> o.shape() == s).toList();
    }

    public List<WorldObject> withColour(Colour c) {
        return objects.stream().filter(o -> o.colour() == c).toList();
    }

    public Optional<WorldObject> at(int row, int col) {
        return objects.stream().filter(o -> o.row() == row && o.col() == col).findFirst();
    }

    /** in: every object paired-seen; out: every object novel; near: both kinds. */
    public NocapsDomain domain(ConceptSplit split) {
        long novel = objects.stream().filter(split::isNovel).count();
        return novel == 0 ? NocapsDomain.IN : novel == objects.size() ? NocapsDomain.OUT : NocapsDomain.NEAR;
    }
}
