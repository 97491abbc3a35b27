package org.pformer.datasets.lavis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.Fixtures;
import org.pformer.datasets.io.MalformedDataException;

/** Every reader on hand-written samples in the exact field layout of the official files (fixtures/lavis). */
class LavisReadersTest {

    private static Path lavis(String name) {
        return Fixtures.path("lavis/" + name);
    }

    @Test
    void pretrainingPairsOfCocoVgAndCc3m() throws Exception {
        assertThat(CaptionPair.read(lavis("coco_karpathy_train.json")))
                .extracting(CaptionPair::image, CaptionPair::caption, CaptionPair::imageId)
                .containsExactly(
                        tuple("val2014/COCO_val2014_000000522418.jpg", "A woman wearing a net on her head cutting a "
                                + "cake. ", "coco_522418"),
                        tuple("val2014/COCO_val2014_000000522418.jpg", "A woman cutting a large white sheet cake.",
                                "coco_522418"),
                        tuple("train2014/COCO_train2014_000000057870.jpg", "A child holding a flowered umbrella and "
                                + "petting a yak.", "coco_57870"));
        // Visual Genome numbers its image ids; CC3M / SBU have none (optional).
        assertThat(CaptionPair.read(lavis("vg_caption.json"))).extracting(CaptionPair::imageId)
                .containsExactly("2", "1");
        assertThat(CaptionPair.read(lavis("cc3m.json"))).extracting(CaptionPair::image, CaptionPair::imageId)
                .containsExactly(tuple("cc3m/00000/000000001.jpg", null), tuple("cc3m/00000/000000002.jpg", null));
    }

    @Test
    void karpathyTestAndFlickrCaptionLists() throws Exception {
        List<ImageCaptions> coco = ImageCaptions.read(lavis("coco_karpathy_test.json"));
        assertThat(coco).hasSize(2);
        assertThat(coco.get(0).captions()).hasSize(5).startsWith("A man with a red helmet on a small moped on a "
                + "dirt road. ");
        List<ImageCaptions> flickr = ImageCaptions.read(lavis("flickr30k_test.json"));
        assertThat(flickr).singleElement().satisfies(i -> {
            assertThat(i.image()).isEqualTo("flickr30k-images/1007129816.jpg");
            assertThat(i.captions()).hasSize(5);
        });
    }

    @Test
    void nocapsListAndOfficialCaptionsWithDomains() throws Exception {
        assertThat(NocapsImage.read(lavis("nocaps_val.json")))
                .containsExactly(new NocapsImage("0013ea2087020901.jpg", 0, null),
                        new NocapsImage("00223fe30c0c94f5.jpg", 1, null));
        CocoCaptions refs = CocoCaptions.read(lavis("nocaps_val_4500_captions.json"));
        assertThat(refs.images()).extracting(CocoCaptions.Image::id, CocoCaptions.Image::fileName,
                CocoCaptions.Image::domain).containsExactly(tuple(0L, "0013ea2087020901.jpg", NocapsDomain.IN),
                tuple(1L, "00223fe30c0c94f5.jpg", NocapsDomain.OUT));
        assertThat(refs.referencesByImage()).isEqualTo(Map.of(0L, List.of("A baby is standing in front of a house.",
                "A little girl in a white jacket and sandals."), 1L, List.of("Several sea lions are lying on the "
                + "rocks.")));
    }

    @Test
    void vqav2QuestionsJoinedWithTenAnswers() throws Exception {
        List<VqaExample> vqa = VqaDataset.read(lavis("v2_OpenEnded_mscoco_val2014_questions.json"),
                lavis("v2_mscoco_val2014_annotations.json"), VqaDataset.COCO_VAL2014_TEMPLATE);
        assertThat(vqa).hasSize(3);
        VqaExample first = vqa.get(0);
        assertThat(first.question()).isEqualTo(new VqaQuestion(262148, "Where is he looking?", 262148000));
        assertThat(first.image()).isEqualTo("val2014/COCO_val2014_000000262148.jpg");
        assertThat(first.annotation().answerTexts()).containsExactly("down", "down", "at table", "skateboard", "down",
                "table", "down", "down", "down", "down");
        assertThat(first.annotation().multipleChoiceAnswer()).isEqualTo("down");
        assertThat(vqa.get(2).annotation().answerType()).isEqualTo("yes/no");
        assertThat(vqa.get(1).annotation().answers().get(5).answerConfidence()).isEqualTo("maybe");
        // test-dev has no annotations
        assertThat(VqaDataset.read(lavis("v2_OpenEnded_mscoco_val2014_questions.json"), null,
                VqaDataset.COCO_VAL2014_TEMPLATE)).allSatisfy(e -> assertThat(e.annotation()).isNull());
    }

    @Test
    void okvqaKeepsRawAnswers() throws Exception {
        List<VqaExample> ok = VqaDataset.read(lavis("OpenEnded_mscoco_val2014_questions.json"),
                lavis("mscoco_val2014_annotations.json"), VqaDataset.COCO_VAL2014_TEMPLATE);
        assertThat(ok).singleElement().satisfies(e -> {
            assertThat(e.question().question()).isEqualTo("What sport can you use this for?");
            assertThat(e.annotation().answers()).hasSize(10);
            assertThat(e.annotation().answers().get(0)).isEqualTo(new VqaAnswer("race", "yes", 1, "racing"));
            assertThat(e.annotation().multipleChoiceAnswer()).isNull(); // OK-VQA has none
        });
    }

    @Test
    void gqaToleratesMissingIdsAndAnswers() throws Exception {
        assertThat(GqaQuestion.read(lavis("testdev_balanced_questions.json")))
                .extracting(GqaQuestion::questionId, GqaQuestion::answer, GqaQuestion::fullAnswer)
                .containsExactly(tuple("201307251", "no", "No, it is clear."),
                        tuple("201640614", "woman", "The woman is wearing a dress."), tuple("2", null, null));
    }

    @Test
    void gzipVariantsReadTheSame(@TempDir Path tmp) throws Exception {
        Path gz = tmp.resolve("coco_karpathy_train.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(lavis("coco_karpathy_train.json"), out);
        }
        assertThat(CaptionPair.read(gz)).isEqualTo(CaptionPair.read(lavis("coco_karpathy_train.json")));
    }

    @Test
    void brokenFilesAreRejectedWithFileRecordAndField(@TempDir Path tmp) throws Exception {
        assertBroken(tmp, "no_caption.json", "[{\"image\": \"a.jpg\", \"caption\": \"x\"}, {\"image\": \"b.jpg\"}]",
                f -> CaptionPair.read(f), "record 1", "field 'caption'", "it is missing");
        assertBroken(tmp, "number.json", "[{\"image\": 5, \"caption\": \"x\"}]", f -> CaptionPair.read(f),
                "record 0", "field 'image'", "expected a string", "found number 5");
        assertBroken(tmp, "object.json", "{\"image\": \"a.jpg\"}", f -> ImageCaptions.read(f),
                "expected a JSON list");
        assertBroken(tmp, "cut.json", "[{\"image\": \"a.jpg\", \"caption\": [\"x\"]}, {\"ima",
                f -> ImageCaptions.read(f), "invalid JSON");
        assertBroken(tmp, "empty_list.json", "[{\"image\": \"a.jpg\", \"caption\": []}]",
                f -> ImageCaptions.read(f), "non-empty list");
        assertBroken(tmp, "domain.json", "[{\"image\": \"a.jpg\", \"img_id\": 1, \"domain\": \"mid-domain\"}]",
                f -> NocapsImage.read(f), "field 'domain'", "in-domain, near-domain, out-domain");
        assertBroken(tmp, "noquestions.json", "{\"info\": {}}", f -> VqaDataset.readQuestions(f),
                "has no 'questions' field");
        assertBroken(tmp, "answers.json", "{\"annotations\": [{\"question_id\": 1, \"image_id\": 2, \"answers\": "
                + "\"yes\"}]}", f -> VqaDataset.readAnnotations(f), "annotations[0]", "field 'answers'");
        Path questions = lavis("v2_OpenEnded_mscoco_val2014_questions.json");
        Path stray = tmp.resolve("stray.json");
        Files.writeString(stray, "{\"annotations\": [{\"question_id\": 7, \"image_id\": 2, \"answers\": "
                + "[{\"answer\": \"yes\"}]}]}");
        assertThatThrownBy(() -> VqaDataset.read(questions, stray, "%d.jpg")).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("stray.json").hasMessageContaining("question_id 7");
        assertThatThrownBy(() -> VqaDataset.read(questions, null, "no-placeholder.jpg%s%s"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CaptionPair.read(tmp.resolve("missing.json"))).hasMessageContaining("missing.json");
    }

    private interface Reader {
        Object read(Path file) throws IOException;
    }

    private static void assertBroken(Path tmp, String name, String content, Reader reader, String... parts)
            throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        assertThatThrownBy(() -> reader.read(f)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining(name).satisfies(e -> {
                    for (String p : parts) {
                        assertThat(e.getMessage()).contains(p);
                    }
                });
    }
}
