package org.pformer.datasets.world;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.pformer.datasets.lavis.NocapsDomain;

/**
 * Draws scenes: 1–3 objects (weights 3:4:3) in distinct cells of a 3×3 grid, never two objects of the same colour
 * and shape, each object drawn from the concepts a set allows.
 */
final class SceneSampler {

    /** Which objects a set may contain. */
    enum Constraint {
        /** Only paired-seen concepts (the pretraining pairs, COCO-like test). */
        SEEN,
        /** Any concept (web set, sentence corpus, VQA, retrieval). */
        ANY,
        /** A NoCaps domain: all seen / mixed / all novel. */
        IN_DOMAIN, NEAR_DOMAIN, OUT_DOMAIN
    }

    private final ConceptSplit split;
    private final List<WorldObjectKind> seen = new ArrayList<>();
    private final List<WorldObjectKind> novel = new ArrayList<>();
    private final List<WorldObjectKind> all = new ArrayList<>();

    private record WorldObjectKind(Shape shape, Colour colour) {}

    SceneSampler(ConceptSplit split) {
        this.split = split;
        for (Shape s : Shape.values()) {
            for (Colour c : Colour.values()) {
                WorldObjectKind k = new WorldObjectKind(s, c);
                all.add(k);
                (split.isNovel(new WorldObject(s, c, ObjectSize.SMALL, 0, 0)) ? novel : seen).add(k);
            }
        }
    }

    Scene sample(SplittableRandom rng, Constraint constraint) {
        int n = switch (constraint) {
            case NEAR_DOMAIN -> 2 + rng.nextInt(2);
            default -> {
                int r = rng.nextInt(10);
                yield r < 3 ? 1 : r < 7 ? 2 : 3;
            }
        };
        List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
        ConceptSplit.shuffle(cells, rng);
        Set<WorldObjectKind> used = new HashSet<>();
        List<WorldObject> objects = new ArrayList<>(n);
        int nearNovel = constraint == Constraint.NEAR_DOMAIN ? rng.nextInt(n) : -1;
        for (int i = 0; i < n; i++) {
            List<WorldObjectKind> pool = switch (constraint) {
                case SEEN, IN_DOMAIN -> seen;
                case ANY -> all;
                case OUT_DOMAIN -> novel;
                // near: exactly one position forced novel, one forced seen, a third free.
                case NEAR_DOMAIN -> i == nearNovel ? novel : i == (nearNovel + 1) % n ? seen : all;
            };
            WorldObjectKind k;
            do {
                k = pool.get(rng.nextInt(pool.size()));
            } while (!used.add(k));
            ObjectSize size = rng.nextBoolean() ? ObjectSize.SMALL : ObjectSize.LARGE;
            int cell = cells.get(i);
            objects.add(new WorldObject(k.shape(), k.colour(), size, cell / 3, cell % 3));
        }
        // Reading order (top to bottom, left to right), so captions list objects naturally.
        objects.sort((a, b) -> a.row() != b.row() ? Integer.compare(a.row(), b.row()) : Integer.compare(a.col(), b.col()));
        Background bg = Background.values()[rng.nextInt(Background.values().length)];
        Scene scene = new Scene(objects, bg);
        NocapsDomain expected = switch (constraint) {
            case IN_DOMAIN, SEEN -> NocapsDomain.IN;
            case NEAR_DOMAIN -> NocapsDomain.NEAR;
            case OUT_DOMAIN -> NocapsDomain.OUT;
            case ANY -> null;
        };
        if (expected != null && scene.domain(split) != expected) {
            throw new IllegalStateException("sampled a " + scene.domain(split) + " scene for " + constraint);
        }
        return scene;
    }
}
