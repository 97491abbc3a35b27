package org.pformer.datasets.world;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The held-out concepts: shapes and colours that NEVER appear in the paired pretraining set but do appear in the
 * sentence corpus and in the vision encoder's web set — the world's version of the paper's setting, where the
 * P-Former has read about concepts that the image–text pairs lack. An object is novel when its shape or its colour
 * is held out.
 */
public record ConceptSplit(List<Shape> heldOutShapes, List<Colour> heldOutColours) {

    public ConceptSplit {
        heldOutShapes = List.copyOf(heldOutShapes);
        heldOutColours = List.copyOf(heldOutColours);
    }

    /** Draws {@code shapes} shapes and {@code colours} colours to hold out, from the world seed. */
    public static ConceptSplit draw(long seed, int shapes, int colours) {
        SplittableRandom rng = Seeds.rng(seed, "concept-split", 0);
        List<Shape> s = new ArrayList<>(List.of(Shape.values()));
        List<Colour> c = new ArrayList<>(List.of(Colour.values()));
        shuffle(s, rng);
        shuffle(c, rng);
        List<Shape> hs = new ArrayList<>(s.subList(0, shapes));
        List<Colour> hc = new ArrayList<>(c.subList(0, colours));
        Collections.sort(hs);
        Collections.sort(hc);
        return new ConceptSplit(hs, hc);
    }

    static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, rng.nextInt(i + 1));
        }
    }

    public boolean isNovel(WorldObject o) {
        return heldOutShapes.contains(o.shape()) || heldOutColours.contains(o.colour());
    }

    public Set<Shape> seenShapes() {
        EnumSet<Shape> s = EnumSet.allOf(Shape.class);
        heldOutShapes.forEach(s::remove);
        return s;
    }

    public Set<Colour> seenColours() {
        EnumSet<Colour> c = EnumSet.allOf(Colour.class);
        heldOutColours.forEach(c::remove);
        return c;
    }
}
