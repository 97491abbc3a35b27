package org.pformer.metrics.vqa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VqaAccuracyTest {
    private static VqaAnnotation question(long id, List<String> answers) {
        List<VqaAnnotation.Answer> list = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            list.add(new VqaAnnotation.Answer(answers.get(i), "yes", i + 1));
        }
        return new VqaAnnotation(id, "how many", "number", list);
    }

    private static List<String> answers(String a, int na, String b, int nb) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < na; i++) {
            out.add(a);
        }
        for (int i = 0; i < nb; i++) {
            out.add(b);
        }
        return out;
    }

    private static double acc(List<String> gt, String prediction, VqaAccuracy.Variant v) {
        return VqaAccuracy.questionAccuracy(question(1, gt), prediction, v);
    }

    @Test
    void normalisesPunctuationNumbersArticlesAndContractions() {
        assertThat(VqaAnswerNormalizer.normalize("Two dogs.")).isEqualTo("2 dogs");
        assertThat(VqaAnswerNormalizer.normalize("the dog")).isEqualTo("dog");
        assertThat(VqaAnswerNormalizer.normalize("An apple!")).isEqualTo("apple");
        assertThat(VqaAnswerNormalizer.normalize("dont")).isEqualTo("don't");
        assertThat(VqaAnswerNormalizer.normalize("3.5")).isEqualTo("3.5");
        // a comma between digits anywhere deletes every mark instead of spacing it
        assertThat(VqaAnswerNormalizer.normalize("1,000")).isEqualTo("1000");
        assertThat(VqaAnswerNormalizer.normalize("black/white")).isEqualTo("black white");
        // ", " touches a space in the raw text: the comma is deleted, not spaced
        assertThat(VqaAnswerNormalizer.normalize("left, right")).isEqualTo("left right");
        assertThat(VqaAnswerNormalizer.normalize("none")).isEqualTo("0");
        assertThat(VqaAnswerNormalizer.normalize("")).isEmpty();
        assertThat(VqaAnswerNormalizer.normalize("café")).isEqualTo("café");
    }

    @Test
    void stripsAtMost32PeriodsAsTheOfficialRegexCallDoes() {
        String text = "a.".repeat(40);
        String out = VqaAnswerNormalizer.processPunctuation(text);
        assertThat(out.chars().filter(c -> c == '.').count()).isEqualTo(8);
    }

    @Test
    void leaveOneOutAccuracyIsMinOneMatchesOverThreeAveragedOverSubsets() {
        // 3 matching of 10: the 3 subsets without a match see 2 (2/3), the 7 others see 3 (1)
        assertThat(acc(answers("red", 3, "blue", 7), "red", VqaAccuracy.Variant.OFFICIAL))
                .isEqualTo((3 * (2 / 3.0) + 7 * 1.0) / 10);
        assertThat(acc(answers("red", 1, "blue", 9), "red", VqaAccuracy.Variant.OFFICIAL))
                .isEqualTo(9 * (1 / 3.0) / 10);
        assertThat(acc(answers("red", 4, "blue", 6), "red", VqaAccuracy.Variant.OFFICIAL)).isEqualTo(1.0);
        assertThat(acc(answers("red", 0, "blue", 10), "red", VqaAccuracy.Variant.OFFICIAL)).isZero();
    }

    @Test
    void numberWordsMatchDigitsWhenAnnotatorsDisagree() {
        assertThat(acc(answers("2", 7, "two", 3), "two", VqaAccuracy.Variant.OFFICIAL)).isEqualTo(1.0);
        // unanimous answers are not normalised by the official evaluator: the raw prediction must equal them
        assertThat(acc(answers("two", 10, "", 0), "two", VqaAccuracy.Variant.OFFICIAL)).isEqualTo(1.0);
        assertThat(acc(answers("two", 10, "", 0), "2", VqaAccuracy.Variant.OFFICIAL)).isZero();
        assertThat(acc(answers("yes", 10, "", 0), "Yes", VqaAccuracy.Variant.OFFICIAL)).isZero();
        // LAVIS always normalises the prediction, never the answers' digits
        assertThat(acc(answers("2", 10, "", 0), "two", VqaAccuracy.Variant.LAVIS)).isEqualTo(1.0);
        assertThat(acc(answers("two", 10, "", 0), "two", VqaAccuracy.Variant.LAVIS)).isZero();
        assertThat(acc(answers("a dog", 5, "dog", 5), "the dog", VqaAccuracy.Variant.OFFICIAL)).isEqualTo(1.0);
    }

    @Test
    void emptyPredictionScoresZeroUnlessAnnotatorsAnsweredEmpty() {
        assertThat(acc(answers("yes", 9, "no", 1), "", VqaAccuracy.Variant.OFFICIAL)).isZero();
        assertThat(acc(answers("yes", 9, "no", 1), "  yes\n", VqaAccuracy.Variant.OFFICIAL)).isEqualTo(1.0);
    }

    @Test
    void reportsPerQuestionTypeAndAnswerTypeAndSerialisesWithJackson() throws Exception {
        List<VqaAnnotation> anns = List.of(
                new VqaAnnotation(1, "how many", "number", List.of(VqaAnnotation.Answer.of("2"),
                        VqaAnnotation.Answer.of("2"), VqaAnnotation.Answer.of("2"), VqaAnnotation.Answer.of("3"))),
                new VqaAnnotation(2, "is there a", "yes/no", List.of(VqaAnnotation.Answer.of("yes"),
                        VqaAnnotation.Answer.of("yes"), VqaAnnotation.Answer.of("yes"), VqaAnnotation.Answer.of("yes"))));
        VqaReport r = VqaAccuracy.score(List.of(new VqaPrediction(1, "two"), new VqaPrediction(2, "no")), anns);
        // question 1: 3 of 4 answers match; subsets without a "2": 1 (3 matches), with: 3 x (2/3)
        double q1 = (1.0 + 3 * (2 / 3.0)) / 4;
        assertThat(r.perQuestion()).containsEntry(1L, 100 * q1).containsEntry(2L, 0.0);
        assertThat(r.perAnswerType()).containsOnlyKeys("number", "yes/no");
        assertThat(r.perQuestionType().get("how many")).isEqualTo(100 * q1);
        assertThat(r.overall()).isEqualTo(100 * q1 / 2);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(json.writeValueAsString(r), VqaReport.class)).isEqualTo(r);
    }

    @Test
    void rejectsMissingExtraAndDuplicatePredictionsNamingTheQuestion() {
        List<VqaAnnotation> anns = List.of(question(7, answers("a", 10, "", 0)), question(8, answers("a", 10, "", 0)));
        assertThatThrownBy(() -> VqaAccuracy.score(List.of(new VqaPrediction(7, "a")), anns))
                .hasMessageContaining("no prediction").hasMessageContaining("[8]");
        assertThatThrownBy(() -> VqaAccuracy.score(List.of(new VqaPrediction(7, "a"), new VqaPrediction(8, "a"),
                new VqaPrediction(9, "a")), anns)).hasMessageContaining("question 9 has no annotation");
        assertThatThrownBy(() -> VqaAccuracy.score(List.of(new VqaPrediction(7, "a"), new VqaPrediction(7, "b")),
                anns)).hasMessageContaining("question 7 is predicted more than once");
        assertThatThrownBy(() -> VqaAccuracy.score(List.of(new VqaPrediction(1, "a")),
                List.of(new VqaAnnotation(1, "t", "a", List.of())))).hasMessageContaining("question 1 has no answers");
    }

    @Test
    void gqaComparesNormalisedAnswers() {
        GqaReport r = GqaAccuracy.score(Map.of("q1", "Two", "q2", "the table", "q3", "left"),
                Map.of("q1", "2", "q2", "table", "q3", "right"));
        assertThat(r.perQuestion()).containsEntry("q1", true).containsEntry("q2", true).containsEntry("q3", false);
        assertThat(r.overall()).isEqualTo(200.0 / 3);
        assertThatThrownBy(() -> GqaAccuracy.score(Map.of(), Map.of("q1", "a")))
                .hasMessageContaining("question 'q1' has no prediction");
    }
}
