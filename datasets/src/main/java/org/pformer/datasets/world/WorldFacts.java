package org.pformer.datasets.world;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sentences of world knowledge — what colour things are, how many sides shapes have, what shapes look like —
 * that appear only in the sentence corpus. The OK-VQA-like questions need them: answering requires knowledge that
 * no image shows.
 */
final class WorldFacts {

    /** Noun phrases of the colour things ("the sky", "grass", "a tomato"). */
    static final Map<String, String> NP = Map.ofEntries(
            Map.entry("tomato", "a tomato"), Map.entry("strawberry", "a strawberry"), Map.entry("carrot", "a carrot"),
            Map.entry("pumpkin", "a pumpkin"), Map.entry("lemon", "a lemon"), Map.entry("sunflower", "a sunflower"),
            Map.entry("grass", "grass"), Map.entry("leaf", "a leaf"), Map.entry("ice", "ice"),
            Map.entry("glacier", "a glacier"), Map.entry("sky", "the sky"), Map.entry("ocean", "the ocean"),
            Map.entry("grape", "a grape"), Map.entry("plum", "a plum"), Map.entry("flamingo", "a flamingo"),
            Map.entry("pig", "a pig"), Map.entry("ball", "a ball"), Map.entry("coin", "a coin"),
            Map.entry("box", "a box"), Map.entry("window", "a window"), Map.entry("pyramid", "a pyramid"),
            Map.entry("roof", "a roof"), Map.entry("kite", "a kite"), Map.entry("gem", "a gem"),
            Map.entry("starfish", "a starfish"), Map.entry("sheriff badge", "a sheriff badge"),
            Map.entry("plus sign", "a plus sign"), Map.entry("bandage", "a bandage"),
            Map.entry("valentine", "a valentine"), Map.entry("love symbol", "a love symbol"),
            Map.entry("moon", "the moon"), Map.entry("banana", "a banana"));

    private WorldFacts() {}

    static String np(String thing) {
        return NP.getOrDefault(thing, Words.withArticle(thing));
    }

    /** One fact sentence, with surface noise. */
    static String fact(SplittableRandom rng) {
        String s = switch (rng.nextInt(3)) {
            case 0 -> colourFact(Words.pick(rng, Colour.values()), rng);
            case 1 -> sidesFact(rng);
            default -> lookalikeFact(Words.pick(rng, Shape.values()), rng);
        };
        return Words.surface(s, rng);
    }

    static String colourFact(Colour c, SplittableRandom rng) {
        String thing = np(rng.nextInt(3) == 0 ? c.thing2() : c.thing());
        return switch (rng.nextInt(4)) {
            case 0 -> thing + " is " + c.word();
            case 1 -> "the color of " + thing + " is " + c.word();
            case 2 -> thing + " has a " + c.word() + " color";
            default -> "a " + c.word() + " shape has the same color as " + thing;
        };
    }

    private static String sidesFact(SplittableRandom rng) {
        Shape s;
        do {
            s = Words.pick(rng, Shape.values());
        } while (s.sides() < 0);
        if (s.sides() == 0) {
            return Words.pick(rng, "a circle has no sides", "a circle has zero sides", "a circle has no corners");
        }
        String n = Words.number(s.sides());
        return switch (rng.nextInt(3)) {
            case 0 -> Words.withArticle(s.word()) + " has " + n + " sides";
            case 1 -> "every " + s.word() + " has " + n + " sides";
            default -> "the number of sides of " + Words.withArticle(s.word()) + " is " + n;
        };
    }

    static String lookalikeFact(Shape s, SplittableRandom rng) {
        String thing = np(rng.nextInt(3) == 0 ? s.lookalike2() : s.lookalike());
        return switch (rng.nextInt(3)) {
            case 0 -> Words.withArticle(s.word()) + " looks like " + thing;
            case 1 -> thing + " has the shape of " + Words.withArticle(s.word());
            default -> Words.withArticle(s.word()) + " is shaped like " + thing;
        };
    }
}
