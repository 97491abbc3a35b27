package org.pformer.datasets.world;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Questions about world scenes.
 * <ul>
 *   <li>VQAv2-like: colour, shape, count, existence, relation; ten annotator answers each, mixing the canonical
 *       answer with its variants ("2"/"two", "yes"/"yeah", "a circle"/"circle.") and the occasional wrong one, so
 *       that the official answer normalisation matters;</li>
 *   <li>OK-VQA-like: the same, but answering needs world knowledge that only the sentence corpus states (the
 *       colour of things, the number of sides, what a shape looks like);</li>
 *   <li>GQA-like: compositional questions with one answer and a full-sentence answer.</li>
 * </ul>
 */
final class Questions {

    /** A VQA-style question with its ten answers. */
    record Qa(String question, String questionType, String answerType, String answer, List<String> answers) {}

    /** A GQA-style question. */
    record Gqa(String question, String answer, String fullAnswer) {}

    static final String YES_NO = "yes/no";
    static final String NUMBER = "number";
    static final String OTHER = "other";

    private static final Map<Shape, Shape> SHAPE_CONFUSION = new EnumMap<>(Map.of(
            Shape.CIRCLE, Shape.CRESCENT, Shape.SQUARE, Shape.DIAMOND, Shape.TRIANGLE, Shape.DIAMOND,
            Shape.DIAMOND, Shape.SQUARE, Shape.STAR, Shape.CROSS, Shape.CROSS, Shape.STAR,
            Shape.HEART, Shape.CIRCLE, Shape.CRESCENT, Shape.CIRCLE));

    private Questions() {}

    // ---------------------------------------------------------------- VQAv2-like

    /** A question generator that returns null when the scene does not allow its kind of question. */
    private interface Kind<T> {
        T ask(Scene s, SplittableRandom rng);
    }

    /** The first question a random order of the kinds can ask; {@code fallback} always can. */
    @SafeVarargs
    private static <T> T anyOf(Scene s, SplittableRandom rng, Kind<T> fallback, Kind<T>... kinds) {
        List<Kind<T>> order = new ArrayList<>(List.of(kinds));
        ConceptSplit.shuffle(order, rng);
        for (Kind<T> k : order) {
            T q = k.ask(s, rng);
            if (q != null) {
                return q;
            }
        }
        return fallback.ask(s, rng);
    }

    static Qa vqa(Scene s, SplittableRandom rng) {
        return anyOf(s, rng, Questions::countQuestion, Questions::colourQuestion, Questions::shapeQuestion,
                Questions::countQuestion, Questions::existenceQuestion, Questions::relationQuestion);
    }

    private static WorldObject uniqueByShape(Scene s, SplittableRandom rng) {
        List<WorldObject> c = s.objects().stream().filter(o -> s.withShape(o.shape()).size() == 1).toList();
        return c.isEmpty() ? null : Words.pick(rng, c);
    }

    private static WorldObject uniqueByColour(Scene s, SplittableRandom rng) {
        List<WorldObject> c = s.objects().stream().filter(o -> s.withColour(o.colour()).size() == 1).toList();
        return c.isEmpty() ? null : Words.pick(rng, c);
    }

    private static Qa colourQuestion(Scene s, SplittableRandom rng) {
        WorldObject o = uniqueByShape(s, rng);
        if (o == null) {
            return null;
        }
        String shape = o.shape().word();
        boolean first = rng.nextBoolean();
        String q = first ? "what color is the " + shape + "?" : "what is the color of the " + shape + "?";
        String c = o.colour().word();
        return new Qa(q, first ? "what color is the" : "what is the", OTHER, c,
                tenAnswers(c, List.of(c, Words.capitalize(c), c + "."), o.colour().confusedWith(), rng));
    }

    private static Qa shapeQuestion(Scene s, SplittableRandom rng) {
        WorldObject o = uniqueByColour(s, rng);
        if (o == null) {
            return null;
        }
        String colour = o.colour().word();
        boolean first = rng.nextBoolean();
        String q = first ? "what shape is the " + colour + " object?" : "which shape is " + colour + "?";
        String a = o.shape().word();
        return new Qa(q, first ? "what shape is the" : "which", OTHER, a,
                tenAnswers(a, List.of(a, Words.withArticle(a), "the " + a), SHAPE_CONFUSION.get(o.shape()).word(),
                        rng));
    }

    private static Qa countQuestion(Scene s, SplittableRandom rng) {
        int n;
        String q;
        switch (rng.nextInt(3)) {
            case 0 -> {
                n = s.objects().size();
                q = Words.pick(rng, "how many shapes are there?", "how many objects are in the picture?",
                        "how many shapes are in the image?");
            }
            case 1 -> {
                Colour c = Words.pick(rng, Colour.values());
                n = s.withColour(c).size();
                q = "how many " + c.word() + " shapes are there?";
            }
            default -> {
                Shape sh = Words.pick(rng, Shape.values());
                n = s.withShape(sh).size();
                q = "how many " + sh.plural() + " are there?";
            }
        }
        String a = Integer.toString(n);
        String wrong = Integer.toString(n == 0 ? 1 : rng.nextBoolean() ? n + 1 : n - 1);
        return new Qa(q, "how many", NUMBER, a, tenAnswers(a, List.of(a, Words.number(n)), wrong, rng));
    }

    private static Qa existenceQuestion(Scene s, SplittableRandom rng) {
        boolean yes = rng.nextBoolean();
        Shape shape;
        Colour colour;
        if (yes) {
            WorldObject o = Words.pick(rng, s.objects());
            shape = o.shape();
            colour = o.colour();
        } else {
            do {
                shape = Words.pick(rng, Shape.values());
                colour = Words.pick(rng, Colour.values());
            } while (present(s, shape, colour));
        }
        String q = "is there " + Words.withArticle(colour.word() + " " + shape.word()) + "?";
        return yesNo(q, "is there a", yes, rng);
    }

    private static boolean present(Scene s, Shape shape, Colour colour) {
        return s.objects().stream().anyMatch(o -> o.shape() == shape && o.colour() == colour);
    }

    private static Qa relationQuestion(Scene s, SplittableRandom rng) {
        if (s.objects().size() < 2) {
            return null;
        }
        List<WorldObject> o = new ArrayList<>(s.objects());
        ConceptSplit.shuffle(o, rng);
        WorldObject a = o.get(0);
        WorldObject b = o.get(1);
        if (rng.nextBoolean()) {
            Relation r = rng.nextBoolean() ? a.relationTo(b) : a.relationTo(b).opposite();
            String q = "is the " + a.name() + " " + Words.pick(rng, r.phrases()) + " the " + b.name() + "?";
            return yesNo(q, "is the", a.holds(r, b), rng);
        }
        Relation r = a.relationTo(b);
        List<WorldObject> matching = s.objects().stream().filter(x -> x != b && x.holds(r, b)).toList();
        if (matching.size() != 1) {
            return null;
        }
        String q = "what shape is " + Words.pick(rng, r.phrases()) + " the " + b.name() + "?";
        String ans = a.shape().word();
        return new Qa(q, "what shape is", OTHER, ans, tenAnswers(ans, List.of(ans, Words.withArticle(ans)),
                SHAPE_CONFUSION.get(a.shape()).word(), rng));
    }

    private static Qa yesNo(String q, String type, boolean yes, SplittableRandom rng) {
        String a = yes ? "yes" : "no";
        List<String> variants = yes ? List.of("yes", "yes", "yeah", "Yes") : List.of("no", "no", "nope", "No");
        return new Qa(q, type, YES_NO, a, tenAnswers(a, variants, yes ? "no" : "yes", rng));
    }

    /**
     * Ten annotator answers: 0–2 wrong ones (probabilities ½, ⅓, ⅙), the rest the canonical answer (60 %) or one of
     * its variants; shuffled.
     */
    static List<String> tenAnswers(String canonical, List<String> variants, String wrong, SplittableRandom rng) {
        int r = rng.nextInt(6);
        int wrongCount = r < 3 ? 0 : r < 5 ? 1 : 2;
        List<String> answers = new ArrayList<>(10);
        for (int i = 0; i < wrongCount; i++) {
            answers.add(wrong);
        }
        while (answers.size() < 10) {
            answers.add(rng.nextInt(10) < 6 ? canonical : Words.pick(rng, variants));
        }
        ConceptSplit.shuffle(answers, rng);
        return Collections.unmodifiableList(answers);
    }

    /**
     * Whether an annotator's answer means the canonical one, up to case, a final period, a leading article and
     * number words (used to label annotator confidence; the metric applies the official normalisation).
     */
    static boolean normalizedEquals(String answer, String canonical) {
        return simple(answer).equals(simple(canonical));
    }

    private static String simple(String a) {
        String s = a.toLowerCase(java.util.Locale.ROOT).trim();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        for (String article : List.of("a ", "an ", "the ")) {
            if (s.startsWith(article)) {
                s = s.substring(article.length());
            }
        }
        for (int k = 0; k <= 12; k++) {
            if (s.equals(Words.number(k))) {
                return Integer.toString(k);
            }
        }
        return s;
    }

    /** The most frequent answer, ties broken by first occurrence (VQA's {@code multiple_choice_answer}). */
    static String mostCommon(List<String> answers) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        answers.forEach(a -> counts.merge(a, 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    // ---------------------------------------------------------------- OK-VQA-like (needs world knowledge)

    static Qa okvqa(Scene s, SplittableRandom rng) {
        return anyOf(s, rng, Questions::sameColourThing, Questions::sameColourThing, Questions::sides,
                Questions::lookalike);
    }

    private static Qa sameColourThing(Scene s, SplittableRandom rng) {
        WorldObject o = uniqueByShape(s, rng);
        if (o == null) {
            o = Words.pick(rng, s.objects());
        }
        String ref = s.withShape(o.shape()).size() == 1 ? "the " + o.shape().word() : "the " + o.name();
        String q = Words.pick(rng, "which thing has the same color as " + ref + "?",
                "what thing in nature is the same color as " + ref + "?");
        Colour c = o.colour();
        String a = c.thing();
        return new Qa(q, "colour_knowledge", OTHER, a, tenAnswers(a, List.of(c.thing2(), c.thing2(),
                WorldFacts.np(a)), c.word(), rng));
    }

    private static Qa sides(Scene s, SplittableRandom rng) {
        List<WorldObject> c = s.objects().stream()
                .filter(o -> o.shape().sides() >= 0 && s.withColour(o.colour()).size() == 1).toList();
        if (c.isEmpty()) {
            return null;
        }
        WorldObject o = Words.pick(rng, c);
        String q = "how many sides does the " + o.colour().word() + " shape have?";
        int n = o.shape().sides();
        String a = Integer.toString(n);
        List<String> variants = n == 0 ? List.of("0", "zero", "none") : List.of(a, Words.number(n));
        return new Qa(q, "shape_knowledge", NUMBER, a, tenAnswers(a, variants, Integer.toString(n + 1), rng));
    }

    private static Qa lookalike(Scene s, SplittableRandom rng) {
        WorldObject o = uniqueByColour(s, rng);
        if (o == null) {
            return null;
        }
        String q = Words.pick(rng, "what does the " + o.colour().word() + " shape look like?",
                "what everyday thing has the shape of the " + o.colour().word() + " object?");
        String a = o.shape().lookalike();
        return new Qa(q, "shape_knowledge", OTHER, a, tenAnswers(a, List.of(o.shape().lookalike2(),
                WorldFacts.np(a)), o.shape().word(), rng));
    }

    // ---------------------------------------------------------------- GQA-like

    static Gqa gqa(Scene s, SplittableRandom rng) {
        return anyOf(s, rng, Questions::sizeChoice, (sc, r) -> relatedAttribute(sc, r, true),
                (sc, r) -> relatedAttribute(sc, r, false), Questions::sameColour, Questions::sizeChoice,
                Questions::shapeAt, Questions::relationChoice);
    }

    private static Gqa relatedAttribute(Scene s, SplittableRandom rng, boolean colour) {
        if (s.objects().size() < 2) {
            return null;
        }
        List<WorldObject> o = new ArrayList<>(s.objects());
        ConceptSplit.shuffle(o, rng);
        WorldObject a = o.get(0);
        WorldObject b = o.get(1);
        Relation r = a.relationTo(b);
        List<WorldObject> matching = s.objects().stream().filter(x -> x != b && x.holds(r, b)).toList();
        if (matching.size() != 1) {
            return null;
        }
        if (colour) {
            String q = "what color is the shape " + r.phrase() + " the " + b.name() + "?";
            return new Gqa(q, a.colour().word(), "The shape is " + a.colour().word() + ".");
        }
        String q = "which shape is " + r.phrase() + " the " + b.name() + "?";
        return new Gqa(q, a.shape().word(), "The shape is " + Words.withArticle(a.shape().word()) + ".");
    }

    private static Gqa sameColour(Scene s, SplittableRandom rng) {
        List<WorldObject> u = s.objects().stream().filter(o -> s.withShape(o.shape()).size() == 1).toList();
        if (u.size() < 2) {
            return null;
        }
        List<WorldObject> o = new ArrayList<>(u);
        ConceptSplit.shuffle(o, rng);
        WorldObject a = o.get(0);
        WorldObject b = o.get(1);
        boolean same = a.colour() == b.colour();
        String q = "are the " + a.shape().word() + " and the " + b.shape().word() + " the same color?";
        return new Gqa(q, same ? "yes" : "no", same ? "Yes, both are " + a.colour().word() + "."
                : "No, the " + a.shape().word() + " is " + a.colour().word() + " and the " + b.shape().word() + " is "
                + b.colour().word() + ".");
    }

    private static Gqa sizeChoice(Scene s, SplittableRandom rng) {
        WorldObject o = Words.pick(rng, s.objects());
        String q = "is the " + o.name() + " small or large?";
        return new Gqa(q, o.size().word(), "The " + o.name() + " is " + o.size().word() + ".");
    }

    private static Gqa shapeAt(Scene s, SplittableRandom rng) {
        WorldObject o = Words.pick(rng, s.objects());
        String where = CaptionGrammar.position(o.row(), o.col());
        return new Gqa("what shape is " + where + "?", o.shape().word(),
                "The shape " + where + " is " + Words.withArticle(o.shape().word()) + ".");
    }

    private static Gqa relationChoice(Scene s, SplittableRandom rng) {
        if (s.objects().size() < 2) {
            return null;
        }
        List<WorldObject> o = new ArrayList<>(s.objects());
        ConceptSplit.shuffle(o, rng);
        WorldObject a = o.get(0);
        WorldObject b = o.get(1);
        Relation r = a.relationTo(b);
        boolean horizontal = r == Relation.LEFT_OF || r == Relation.RIGHT_OF;
        String q = horizontal
                ? "is the " + a.name() + " to the left or to the right of the " + b.name() + "?"
                : "is the " + a.name() + " above or below the " + b.name() + "?";
        return new Gqa(q, r.answer(), "The " + a.name() + " is " + r.phrase() + " the " + b.name() + ".");
    }
}
