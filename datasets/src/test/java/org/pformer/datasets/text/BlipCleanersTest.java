package org.pformer.datasets.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pformer.datasets.Fixtures;
import org.pformer.datasets.io.Json;

/** LAVIS pre_caption / pre_question, character for character, against Python (fixtures/blip_text_cases.json). */
class BlipCleanersTest {

    private final BlipCaptionCleaner captions = new BlipCaptionCleaner();
    private final BlipQuestionCleaner questions = new BlipQuestionCleaner();

    @Test
    void matchesPythonOnEveryFixtureCase() throws Exception {
        JsonNode fx = Json.MAPPER.readTree(Fixtures.path("blip_text_cases.json").toFile());
        assertThat(fx.get("cases").size()).isGreaterThan(20);
        for (JsonNode c : fx.get("cases")) {
            String in = c.get("input").asText();
            assertThat(captions.clean(in)).as("caption of %s", Json.MAPPER.writeValueAsString(in))
                    .isEqualTo(c.get("caption").asText());
            assertThat(questions.clean(in)).as("question of %s", Json.MAPPER.writeValueAsString(in))
                    .isEqualTo(c.get("question").asText());
        }
    }

    @Test
    void whitespaceIsPythonsOnEveryBmpCharacter() throws Exception {
        JsonNode fx = Json.MAPPER.readTree(Fixtures.path("blip_text_cases.json").toFile());
        Set<Integer> python = new HashSet<>();
        fx.get("python_whitespace").forEach(n -> python.add(n.asInt()));
        for (int c = 0; c <= 0xFFFF; c++) {
            assertThat(PythonText.isSpace((char) c)).as("U+%04X", c).isEqualTo(python.contains(c));
        }
    }

    @Test
    void examples() {
        assertThat(captions.clean("A man (riding) a wave!!  On a board.")).isEqualTo("a man riding a wave on a board");
        assertThat(captions.clean("tab\tkept")).isEqualTo("tab\tkept");
        assertThat(captions.clean("   ")).isEmpty();
        assertThat(questions.clean("What color is the Star?")).isEqualTo("what color is the star?");
        assertThat(questions.clean("a.b")).isEqualTo("ab");
    }

    @Test
    void truncatesToMaxWordsAndReportsIt() {
        String sixty = String.join(" ", java.util.Collections.nCopies(60, "w"));
        BlipCaptionCleaner.Cleaned c = captions.cleanCounted(sixty);
        assertThat(c.truncated()).isTrue();
        assertThat(c.wordsBeforeTruncation()).isEqualTo(60);
        assertThat(c.words()).isEqualTo(50);
        BlipCaptionCleaner.Cleaned fifty = captions.cleanCounted(String.join(" ", java.util.Collections.nCopies(50,
                "w")));
        assertThat(fifty.truncated()).isFalse();
        assertThat(fifty.words()).isEqualTo(50);
        assertThat(new BlipCaptionCleaner(3).clean("one two three four")).isEqualTo("one two three");
        assertThat(captions.cleanCounted("").words()).isZero();
    }
}
