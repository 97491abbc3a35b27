package org.pformer.datasets.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pformer.datasets.lavis.NocapsDomain;

/** Captions and answers must be true of the scene they describe. */
class GrammarAndQuestionsTest {

    // A red circle top left, a large blue star in the centre, a small green square bottom right.
    private static final WorldObject RED_CIRCLE = new WorldObject(Shape.CIRCLE, Colour.RED, ObjectSize.SMALL, 0, 0);
    private static final WorldObject BLUE_STAR = new WorldObject(Shape.STAR, Colour.BLUE, ObjectSize.LARGE, 1, 1);
    private static final WorldObject GREEN_SQUARE = new WorldObject(Shape.SQUARE, Colour.GREEN, ObjectSize.SMALL, 2,
            2);
    private static final Scene SCENE = new Scene(List.of(RED_CIRCLE, BLUE_STAR, GREEN_SQUARE), Background.STRIPED);

    @Test
    void relationsFollowTheGrid() {
        assertThat(RED_CIRCLE.relationTo(BLUE_STAR)).isEqualTo(Relation.LEFT_OF);
        assertThat(GREEN_SQUARE.relationTo(BLUE_STAR)).isEqualTo(Relation.RIGHT_OF);
        WorldObject below = new WorldObject(Shape.HEART, Colour.PINK, ObjectSize.LARGE, 2, 1);
        assertThat(below.relationTo(BLUE_STAR)).isEqualTo(Relation.BELOW);
        assertThat(BLUE_STAR.holds(Relation.ABOVE, below)).isTrue();
    }

    @Test
    void captionsStateOnlyTrueRelationsAndPositions() {
        for (int seed = 0; seed < 500; seed++) {
            String c = CaptionGrammar.plainCaption(SCENE, new SplittableRandom(seed));
            // The circle is left of everything, the square right of (and below) everything, the star between.
            assertThat(c).doesNotContain("circle to the right of", "circle right of", "circle on the right of",
                    "square to the left of", "square left of", "square on the left of", "square above",
                    "square over", "circle below", "circle under", "circle beneath");
            assertThat(c).doesNotContainPattern("star (to the |on the )?left of (a|one) (\\w+ )?red circle")
                    .doesNotContainPattern("star (to the |on the )?right of (a|one) (\\w+ )?green square");
            if (c.contains("red circle in the")) {
                assertThat(c).contains("red circle in the top left");
            }
            assertThat(c).doesNotContain("orange", "heart", "triangle");
        }
        String d = CaptionGrammar.description(SCENE, new SplittableRandom(1));
        assertThat(d).contains("a small red circle in the top left corner", "a large blue star in the center",
                "a small green square in the bottom right corner");
    }

    @Test
    void vqaAnswersAreTrueOfTheScene() {
        for (int seed = 0; seed < 2000; seed++) {
            Questions.Qa q = Questions.vqa(SCENE, new SplittableRandom(seed));
            String expected = switch (q.question()) {
                case "what color is the circle?", "what is the color of the circle?" -> "red";
                case "what color is the star?", "what is the color of the star?" -> "blue";
                case "what shape is the green object?", "which shape is green?" -> "square";
                case "how many shapes are there?", "how many objects are in the picture?",
                     "how many shapes are in the image?" -> "3";
                case "how many red shapes are there?", "how many circles are there?" -> "1";
                case "how many orange shapes are there?", "how many hearts are there?" -> "0";
                case "is there a blue star?", "is there a red circle?" -> "yes";
                case "is there a red star?", "is there a green circle?" -> "no";
                case "is the red circle to the left of the blue star?", "is the blue star above the green square?",
                     "is the green square to the right of the red circle?" -> "yes";
                case "is the red circle to the right of the blue star?" -> "no";
                default -> null;
            };
            if (expected != null) {
                assertThat(q.answer()).as(q.question()).isEqualTo(expected);
            }
            assertThat(q.answers()).hasSize(10);
            // A majority of annotators agree with the canonical answer (up to the answer's own variants).
            long agreeing = q.answers().stream().filter(a -> Questions.normalizedEquals(a, q.answer())
                    || a.equals("yeah") || a.equals("nope") || a.equals("none")).count();
            assertThat(agreeing).as("%s %s", q.question(), q.answers()).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void knowledgeQuestionsNeedFactsFromTheCorpus() {
        for (int seed = 0; seed < 300; seed++) {
            Questions.Qa q = Questions.okvqa(SCENE, new SplittableRandom(seed));
            if (q.question().startsWith("how many sides does the green shape")) {
                assertThat(q.answer()).isEqualTo("4");
            }
            if (q.question().contains("same color as the circle")) {
                assertThat(q.answer()).isEqualTo(Colour.RED.thing());
            }
            if (q.question().contains("red shape look like")) {
                assertThat(q.answer()).isEqualTo(Shape.CIRCLE.lookalike());
            }
        }
        // The corpus states those facts.
        boolean sides = false;
        boolean colour = false;
        for (int seed = 0; seed < 3000 && !(sides && colour); seed++) {
            String f = WorldFacts.fact(new SplittableRandom(seed)).toLowerCase();
            sides |= f.contains("square has four sides");
            colour |= f.contains("tomato is red");
        }
        assertThat(sides).isTrue();
        assertThat(colour).isTrue();
    }

    @Test
    void gqaAnswersAreTrueOfTheScene() {
        for (int seed = 0; seed < 1000; seed++) {
            Questions.Gqa g = Questions.gqa(SCENE, new SplittableRandom(seed));
            switch (g.question()) {
                case "is the blue star small or large?" -> assertThat(g.answer()).isEqualTo("large");
                case "what shape is in the top left corner?" -> assertThat(g.answer()).isEqualTo("circle");
                case "is the red circle to the left or to the right of the blue star?" ->
                        assertThat(g.answer()).isEqualTo("left");
                case "are the circle and the star the same color?" -> assertThat(g.answer()).isEqualTo("no");
                default -> { }
            }
            assertThat(g.fullAnswer()).isNotBlank();
        }
    }

    @Test
    void sampledScenesRespectTheirDomain() {
        ConceptSplit split = ConceptSplit.draw(5, 2, 2);
        SceneSampler sampler = new SceneSampler(split);
        for (int i = 0; i < 300; i++) {
            SplittableRandom rng = new SplittableRandom(i);
            assertThat(sampler.sample(rng, SceneSampler.Constraint.SEEN).domain(split)).isEqualTo(NocapsDomain.IN);
            assertThat(sampler.sample(rng, SceneSampler.Constraint.NEAR_DOMAIN).domain(split))
                    .isEqualTo(NocapsDomain.NEAR);
            Scene out = sampler.sample(rng, SceneSampler.Constraint.OUT_DOMAIN);
            assertThat(out.objects()).allMatch(split::isNovel);
            Scene any = sampler.sample(rng, SceneSampler.Constraint.ANY);
            assertThat(any.objects()).hasSizeBetween(1, 3);
            assertThat(any.objects().stream().map(o -> o.row() * 3 + o.col()).distinct().count())
                    .isEqualTo(any.objects().size());
        }
    }
}
