package org.pformer.datasets.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Captions of world scenes from a small grammar with varied templates and paraphrases (size and relation
 * synonyms, positions, background, counts), so that a caption model has to generalise rather than memorise.
 */
final class CaptionGrammar {

    private static final String[][] POSITIONS = {
        {"in the top left corner", "at the top left"}, {"at the top", "in the top middle"},
        {"in the top right corner", "at the top right"},
        {"on the left", "at the left side"}, {"in the center", "in the middle"}, {"on the right", "at the right side"},
        {"in the bottom left corner", "at the bottom left"}, {"at the bottom", "in the bottom middle"},
        {"in the bottom right corner", "at the bottom right"},
    };

    private CaptionGrammar() {}

    /** The canonical position phrase of a cell ("in the top left corner"). */
    static String position(int row, int col) {
        return POSITIONS[row * 3 + col][0];
    }

    static String position(WorldObject o, SplittableRandom rng) {
        return Words.pick(rng, POSITIONS[o.row() * 3 + o.col()]);
    }

    /** "a small red circle" / "a red circle" / "one big red circle". */
    static String np(WorldObject o, SplittableRandom rng) {
        String core = o.colour().word() + " " + o.shape().word();
        if (rng.nextInt(10) < 6) {
            core = Words.pick(rng, o.size().synonyms()) + " " + core;
        }
        return rng.nextInt(12) == 0 ? "one " + core : Words.withArticle(core);
    }

    /** The complete noun phrase (size always stated): "a small red circle". */
    static String fullNp(WorldObject o) {
        return Words.withArticle(o.size().word() + " " + o.colour().word() + " " + o.shape().word());
    }

    static String background(Background b, SplittableRandom rng) {
        return switch (b) {
            case PLAIN -> Words.pick(rng, "on a plain background", "on a gray background");
            case STRIPED -> Words.pick(rng, "on a striped background", "on a background with stripes");
            case DOTTED -> Words.pick(rng, "on a dotted background", "on a background with dots");
        };
    }

    static String relation(WorldObject a, WorldObject b, SplittableRandom rng) {
        return Words.pick(rng, a.relationTo(b).phrases());
    }

    /** A caption of the scene, before surface noise. */
    static String plainCaption(Scene s, SplittableRandom rng) {
        List<WorldObject> o = new ArrayList<>(s.objects());
        ConceptSplit.shuffle(o, rng);
        return switch (o.size()) {
            case 1 -> one(o.get(0), s, rng);
            case 2 -> two(o.get(0), o.get(1), s, rng);
            default -> three(o.get(0), o.get(1), o.get(2), s, rng);
        };
    }

    /** A caption with realistic surface noise (capitals, final period). */
    static String caption(Scene s, SplittableRandom rng) {
        return Words.surface(plainCaption(s, rng), rng);
    }

    private static String one(WorldObject a, Scene s, SplittableRandom rng) {
        return switch (rng.nextInt(7)) {
            case 0 -> np(a, rng);
            case 1 -> np(a, rng) + " " + position(a, rng);
            case 2 -> "there is " + np(a, rng) + " " + position(a, rng);
            case 3 -> "a picture of " + np(a, rng);
            case 4 -> "an image showing " + np(a, rng) + " " + position(a, rng);
            case 5 -> np(a, rng) + " " + background(s.background(), rng);
            default -> "a drawing of " + np(a, rng) + " " + background(s.background(), rng);
        };
    }

    private static String two(WorldObject a, WorldObject b, Scene s, SplittableRandom rng) {
        return switch (rng.nextInt(8)) {
            case 0 -> np(a, rng) + " " + relation(a, b, rng) + " " + np(b, rng);
            case 1 -> np(a, rng) + " and " + np(b, rng);
            case 2 -> "there is " + np(a, rng) + " " + relation(a, b, rng) + " " + np(b, rng);
            case 3 -> Words.pick(rng, "two shapes: ", "two objects: ", "2 shapes: ") + np(a, rng) + " and "
                    + np(b, rng);
            case 4 -> "a picture of " + np(a, rng) + " " + relation(a, b, rng) + " " + np(b, rng);
            case 5 -> np(a, rng) + " " + position(a, rng) + " and " + np(b, rng) + " " + position(b, rng);
            case 6 -> np(a, rng) + " " + relation(a, b, rng) + " " + np(b, rng) + " "
                    + background(s.background(), rng);
            default -> "an image with " + np(a, rng) + " and " + np(b, rng) + " " + background(s.background(), rng);
        };
    }

    private static String three(WorldObject a, WorldObject b, WorldObject c, Scene s, SplittableRandom rng) {
        return switch (rng.nextInt(6)) {
            case 0 -> np(a, rng) + ", " + np(b, rng) + " and " + np(c, rng);
            case 1 -> Words.pick(rng, "three shapes: ", "three objects: ", "3 shapes: ") + np(a, rng) + ", "
                    + np(b, rng) + " and " + np(c, rng);
            case 2 -> np(a, rng) + " " + relation(a, b, rng) + " " + np(b, rng) + ", and " + np(c, rng) + " "
                    + position(c, rng);
            case 3 -> "there are three shapes: " + np(a, rng) + " " + position(a, rng) + ", " + np(b, rng) + " "
                    + position(b, rng) + " and " + np(c, rng) + " " + position(c, rng);
            case 4 -> np(a, rng) + " " + relation(a, b, rng) + " " + np(b, rng) + " and " + np(c, rng);
            default -> "a picture of " + np(a, rng) + ", " + np(b, rng) + " and " + np(c, rng) + " "
                    + background(s.background(), rng);
        };
    }

    /**
     * A complete description — every object with size, colour, shape and position — from which any question about
     * the scene can be answered by reading alone (the context of the QA passages that train the world's LLM).
     */
    static String description(Scene s, SplittableRandom rng) {
        List<String> parts = new ArrayList<>();
        for (WorldObject o : s.objects()) {
            parts.add(fullNp(o) + " " + position(o.row(), o.col()));
        }
        String list = parts.size() == 1 ? parts.get(0)
                : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
        String count = Words.number(s.objects().size()) + (s.objects().size() == 1 ? " shape" : " shapes");
        return Words.pick(rng, "an image with " + count + ": ", "a picture of " + count + ": ", "") + list + " "
                + background(s.background(), rng);
    }
}
