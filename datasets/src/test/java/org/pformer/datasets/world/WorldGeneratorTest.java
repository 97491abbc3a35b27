package org.pformer.datasets.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pformer.datasets.image.ImageLoader;
import org.pformer.datasets.image.RgbImage;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.lavis.CocoCaptions;
import org.pformer.datasets.lavis.GqaQuestion;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.lavis.NocapsDomain;
import org.pformer.datasets.lavis.NocapsImage;
import org.pformer.datasets.lavis.VqaDataset;
import org.pformer.datasets.lavis.VqaExample;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;

class WorldGeneratorTest {

    private static final WorldSpec SPEC = new WorldSpec("tiny", 1, 32);

    @TempDir
    static Path shared;
    private static Path world;
    private static WorldManifest manifest;

    @BeforeAll
    static void generate() throws Exception {
        world = shared.resolve("world");
        manifest = WorldGenerator.generate(SPEC, world);
    }

    private static TreeMap<String, byte[]> contents(Path dir) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherWorld(@TempDir Path tmp) throws Exception {
        WorldManifest again = WorldGenerator.generate(SPEC, tmp.resolve("again"));
        assertThat(again.digest()).isEqualTo(manifest.digest());
        TreeMap<String, byte[]> a = contents(world);
        TreeMap<String, byte[]> b = contents(tmp.resolve("again"));
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));

        WorldManifest other = WorldGenerator.generate(new WorldSpec("tiny", 2, 32), tmp.resolve("other"));
        assertThat(other.digest()).isNotEqualTo(manifest.digest());
        assertThat(other.imageSets().get("pairs").sha256()).isNotEqualTo(manifest.imageSets().get("pairs").sha256());
    }

    @Test
    void manifestListsEveryFileWithItsDigest() throws Exception {
        assertThat(manifest.spec()).isEqualTo(SPEC);
        Set<String> listed = new java.util.HashSet<>(manifest.files().keySet());
        try (Stream<Path> walk = Files.walk(world)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = world.relativize(p).toString();
                if (!rel.startsWith("images/") && !rel.equals(WorldManifest.FILE)) {
                    assertThat(listed.remove(rel)).as(rel).isTrue();
                }
            }
        }
        assertThat(listed).isEmpty();
        assertThat(manifest.imageSets().keySet()).containsExactlyInAnyOrder("pairs", "web", "vqav2", "okvqa", "gqa",
                "nocaps", "coco", "retrieval");
        assertThat(manifest.imageSets().get("pairs").images()).isEqualTo(WorldSize.TINY.pairImages());
        WorldGenerator.verify(world, manifest);
        assertThat(WorldManifest.read(world)).isEqualTo(manifest);
    }

    @Test
    void heldOutConceptsNeverAppearInThePairsButEverywhereElse() throws Exception {
        ConceptSplit split = manifest.split();
        assertThat(split.heldOutShapes()).hasSize(2);
        assertThat(split.heldOutColours()).hasSize(2);
        List<String> heldOut = new ArrayList<>();
        split.heldOutShapes().forEach(s -> heldOut.add(s.word()));
        split.heldOutColours().forEach(c -> heldOut.add(c.word()));
        Pattern novel = Pattern.compile("\\b(" + String.join("|", heldOut) + ")(s|es)?\\b");
        List<CaptionPair> pairs = CaptionPair.read(world.resolve(manifest.datasets().pretrainPairs().annotations()));
        assertThat(pairs).hasSize(WorldSize.TINY.pairImages() * WorldSize.TINY.captionsPerPair());
        for (CaptionPair p : pairs) {
            assertThat(novel.matcher(p.caption().toLowerCase()).find()).as(p.caption()).isFalse();
        }
        String corpus = String.join("\n", readAll(manifest.datasets().sentences())).toLowerCase();
        String web = String.join("\n", CaptionPair.read(world.resolve(manifest.datasets().webPairs().annotations()))
                .stream().map(CaptionPair::caption).toList()).toLowerCase();
        for (Shape s : Shape.values()) {
            assertThat(corpus).contains(s.word());
            assertThat(web).contains(s.word());
        }
        for (Colour c : Colour.values()) {
            assertThat(corpus).contains(c.word());
            assertThat(web).contains(c.word());
        }
        // The corpus is several times the paired text and carries QA passages in the VQA prompt format.
        assertThat(WorldSize.DEFAULT.sentences()).isGreaterThanOrEqualTo(5 * WorldSize.DEFAULT.pairImages()
                * WorldSize.DEFAULT.captionsPerPair() / 2);
        List<String> qa = readAll(manifest.datasets().qaPassages());
        assertThat(qa).hasSize(WorldSize.TINY.qaPassages())
                .allMatch(l -> l.matches("[A-Z].*\\. Question: .+\\? Short answer: \\S.*"));
    }

    private static List<String> readAll(List<String> files) throws Exception {
        List<String> out = new ArrayList<>();
        for (String f : files) {
            out.addAll(Files.readAllLines(world.resolve(f)));
        }
        return out;
    }

    @Test
    void nocapsDomainsMatchTheirConcepts() throws Exception {
        List<String> heldOut = new ArrayList<>();
        manifest.split().heldOutShapes().forEach(s -> heldOut.add(s.word()));
        manifest.split().heldOutColours().forEach(c -> heldOut.add(c.word()));
        List<NocapsImage> images = NocapsImage.read(world.resolve(manifest.datasets().nocaps().annotations()));
        assertThat(images).hasSize(3 * WorldSize.TINY.nocapsPerDomain());
        Map<NocapsDomain, Long> perDomain = new TreeMap<>();
        images.forEach(i -> perDomain.merge(i.domain(), 1L, Long::sum));
        assertThat(perDomain.values()).containsOnly((long) WorldSize.TINY.nocapsPerDomain());
        CocoCaptions refs = CocoCaptions.read(world.resolve(manifest.datasets().nocaps().references()));
        Map<Long, List<String>> byImage = refs.referencesByImage();
        for (NocapsImage img : images) {
            List<String> captions = byImage.get(img.imgId());
            assertThat(captions).hasSize(WorldSize.NOCAPS_REFERENCES);
            boolean anyNovel = captions.stream().anyMatch(c -> heldOut.stream().anyMatch(w ->
                    c.toLowerCase().matches(".*\\b" + w + "(s|es)?\\b.*")));
            if (img.domain() == NocapsDomain.IN) {
                assertThat(anyNovel).as("in-domain %s: %s", img.image(), captions).isFalse();
            } else {
                assertThat(anyNovel).as("%s %s: %s", img.domain(), img.image(), captions).isTrue();
            }
        }
    }

    @Test
    void everyDatasetReadsWithTheRealFormatReaders() throws Exception {
        WorldManifest.Datasets d = manifest.datasets();
        List<VqaExample> vqa = VqaDataset.read(world.resolve(d.vqav2().questions()),
                world.resolve(d.vqav2().annotations()), d.vqav2().imageTemplate());
        assertThat(vqa).hasSize(WorldSize.TINY.vqaImages() * WorldSize.VQA_QUESTIONS_PER_IMAGE);
        for (VqaExample e : vqa) {
            assertThat(e.annotation().answers()).hasSize(10);
            assertThat(e.annotation().answerTexts()).contains(e.annotation().multipleChoiceAnswer());
            assertThat(e.annotation().answerType()).isIn("yes/no", "number", "other");
            assertThat(world.resolve(d.vqav2().images()).resolve(e.image())).isRegularFile();
        }
        // Synonyms make the official answer normalisation matter.
        assertThat(vqa.stream().flatMap(e -> e.annotation().answerTexts().stream()))
                .contains("yes", "yeah").anyMatch(a -> a.matches("one|two|three|zero"));
        List<VqaExample> ok = VqaDataset.read(world.resolve(d.okvqa().questions()),
                world.resolve(d.okvqa().annotations()), d.okvqa().imageTemplate());
        assertThat(ok).hasSize(WorldSize.TINY.okvqaImages() * WorldSize.OKVQA_QUESTIONS_PER_IMAGE);
        List<GqaQuestion> gqa = GqaQuestion.read(world.resolve(d.gqa().annotations()));
        assertThat(gqa).hasSize(WorldSize.TINY.gqaImages() * WorldSize.GQA_QUESTIONS_PER_IMAGE)
                .allSatisfy(q -> assertThat(q.answer()).isNotBlank());
        assertThat(ImageCaptions.read(world.resolve(d.retrieval().annotations())))
                .hasSize(WorldSize.TINY.retrievalImages())
                .allSatisfy(i -> assertThat(i.captions()).hasSize(WorldSize.RETRIEVAL_CAPTIONS).doesNotHaveDuplicates());
        assertThat(ImageCaptions.read(world.resolve(d.cocoCaption().annotations()))).hasSize(WorldSize.TINY.cocoImages());
        assertThat(CocoCaptions.read(world.resolve(d.cocoCaption().references())).annotations())
                .hasSize(WorldSize.TINY.cocoImages() * WorldSize.COCO_REFERENCES);
        RgbImage img = ImageLoader.load(world.resolve("images").resolve(gqa.get(0).image()));
        assertThat(img.width()).isEqualTo(32);
        assertThat(img.height()).isEqualTo(32);
    }

    @Test
    void worldTokenizersCoverAllWorldTextAndRoundTrip() throws Exception {
        try (PFormerTokenizer p = PFormerTokenizer.load(world.resolve(manifest.datasets().pformerTokenizer()), 512);
             LlmTokenizer l = LlmTokenizer.load(world.resolve(manifest.datasets().llmTokenizer()), 0)) {
            List<String> text = new ArrayList<>(readAll(manifest.datasets().sentences()));
            text.addAll(readAll(manifest.datasets().qaPassages()));
            for (String t : text) {
                assertThat(p.encode(t)).as(t).doesNotContain(p.unkId());
                assertThat(l.decode(l.encodeCaption(t), true)).isEqualTo(t + "\n");
            }
            // Closed vocabulary: whole words, so captions stay far below L_txt = 32.
            assertThat(p.encode("a small red circle to the left of a large blue star")).hasSize(14);
            assertThat(p.vocabSize()).isLessThan(400);
            assertThat(l.vocabSize()).isLessThan(2000);
        }
    }

    @Test
    void anExistingWorldIsVerifiedAndReusedButNeverSilentlyWrong(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("w");
        WorldGenerator.generate(SPEC, dir);
        assertThat(WorldGenerator.generate(SPEC, dir)).isEqualTo(manifest);
        assertThatThrownBy(() -> WorldGenerator.generate(new WorldSpec("tiny", 3, 32), dir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds the world");
        Path q = dir.resolve("vqav2/questions.json");
        Files.writeString(q, Files.readString(q).replace("color", "colour"));
        assertThatThrownBy(() -> WorldGenerator.generate(SPEC, dir)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("questions.json");
        Path img = dir.resolve("images/pairs/000003.png");
        Files.write(img, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> WorldGenerator.verify(dir, manifest)).hasMessageContaining("questions.json");
        // A directory with foreign content is never cleared.
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> WorldGenerator.generate(SPEC, foreign)).hasMessageContaining("notes.txt");
        assertThat(foreign.resolve("notes.txt")).exists();
        // A half-written world (no world.json) is cleared and regenerated.
        Files.delete(dir.resolve(WorldManifest.FILE));
        assertThat(WorldGenerator.generate(SPEC, dir).digest()).isEqualTo(manifest.digest());
    }
}
