package org.pformer.datasets.world;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.pformer.datasets.io.AtomicFiles;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.io.Sha256;
import org.pformer.datasets.lavis.CaptionPair;
import org.pformer.datasets.lavis.CocoCaptions;
import org.pformer.datasets.lavis.GqaQuestion;
import org.pformer.datasets.lavis.ImageCaptions;
import org.pformer.datasets.lavis.NocapsDomain;
import org.pformer.datasets.lavis.NocapsImage;
import org.pformer.datasets.lavis.VqaAnnotation;
import org.pformer.datasets.lavis.VqaAnswer;
import org.pformer.datasets.lavis.VqaQuestion;
import org.pformer.datasets.tokenize.ByteLevelBpeBuilder;
import org.pformer.datasets.tokenize.WordPieceTokenizerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the shipped benchmark world (BENCHMARK.md) into a directory, deterministically from a
 * {@link WorldSpec}: PNG images and annotations in the LAVIS / official formats that the readers of
 * {@code org.pformer.datasets.lavis} read for the real datasets, the sentence corpus, and the world's own
 * tokenizers, plus {@code world.json} ({@link WorldManifest}) with every file's digest. Items are generated in
 * parallel, each from its own random stream, so the bytes do not depend on the number of threads.
 *
 * <p>A directory that already holds the world of the same spec is verified and reused; a half-written one (no
 * {@code world.json}) is cleared and regenerated.
 */
public final class WorldGenerator {

    private static final Logger LOG = LoggerFactory.getLogger(WorldGenerator.class);

    /** Top-level entries the generator writes (and may clear after an interrupted run). */
    private static final Set<String> OWNED = Set.of("images", "annotations", "corpus", "vqav2", "okvqa", "gqa",
            "nocaps", "coco", "retrieval", "tokenizers", WorldManifest.FILE);
    private static final int CORPUS_PARTS = 4;
    /** Cap of the world LLM's byte-level BPE vocabulary (the closed vocabulary needs far fewer merges). */
    private static final int LLM_VOCAB_CAP = 8192;

    private final WorldSpec spec;
    private final WorldSize n;
    private final Path dir;
    private final ConceptSplit split;
    private final SceneSampler sampler;
    private final TreeMap<String, WorldManifest.FileDigest> files = new TreeMap<>();
    private final TreeMap<String, WorldManifest.ImageSetDigest> imageSets = new TreeMap<>();
    private final List<String> allText = new ArrayList<>();

    private WorldGenerator(WorldSpec spec, Path dir) {
        this.spec = spec;
        this.n = spec.counts();
        this.dir = dir;
        this.split = ConceptSplit.draw(spec.seed(), WorldSpec.HELD_OUT_SHAPES, WorldSpec.HELD_OUT_COLOURS);
        this.sampler = new SceneSampler(split);
    }

    /** Generates (or verifies and reuses) the world of {@code spec} in {@code dir}. */
    public static WorldManifest generate(WorldSpec spec, Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(WorldManifest.FILE))) {
            WorldManifest existing = WorldManifest.read(dir);
            if (!existing.spec().equals(spec)) {
                throw new IllegalStateException(dir + " holds the world " + existing.spec() + ", not " + spec
                        + "; use another directory");
            }
            verify(dir, existing);
            LOG.info("world {} already generated in {}", spec, dir);
            return existing;
        }
        clearPartial(dir);
        long t0 = System.nanoTime();
        WorldManifest m = new WorldGenerator(spec, dir).run();
        LOG.info("generated world {} in {} in {} s", spec, dir, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        return m;
    }

    private static void clearPartial(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        }
        for (Path p : entries) {
            if (!OWNED.contains(p.getFileName().toString())) {
                throw new IllegalStateException(dir + " is not empty and holds no world (found "
                        + p.getFileName() + "); use an empty directory");
            }
        }
        for (Path p : entries) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    /** Checks every file and image set of the world against its manifest. */
    public static void verify(Path dir, WorldManifest m) throws IOException {
        for (Map.Entry<String, WorldManifest.FileDigest> e : m.files().entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f) || Files.size(f) != e.getValue().bytes()
                    || !Sha256.of(f).equals(e.getValue().sha256())) {
                throw new MalformedDataException(f.toString(), "missing or different from world.json");
            }
        }
        for (Map.Entry<String, WorldManifest.ImageSetDigest> e : m.imageSets().entrySet()) {
            Path d = dir.resolve("images").resolve(e.getKey());
            List<String> lines = new ArrayList<>();
            long bytes = 0;
            try (Stream<Path> list = Files.list(d)) {
                for (Path p : list.sorted().toList()) {
                    lines.add(p.getFileName() + " " + Sha256.of(p));
                    bytes += Files.size(p);
                }
            }
            WorldManifest.ImageSetDigest actual = listingDigest(lines, bytes);
            if (!actual.equals(e.getValue())) {
                throw new MalformedDataException(d.toString(), "images differ from world.json (" + actual + " vs "
                        + e.getValue() + ")");
            }
        }
    }

    private static WorldManifest.ImageSetDigest listingDigest(List<String> nameShaLines, long bytes) {
        StringBuilder sb = new StringBuilder();
        nameShaLines.forEach(l -> sb.append(l).append('\n'));
        return new WorldManifest.ImageSetDigest(nameShaLines.size(), bytes,
                Sha256.of(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------------------------------------ the run

    /** One rendered image and what was generated with it. */
    private record Item<T>(String image, byte[] png, T payload) {}

    private WorldManifest run() throws IOException {
        List<CaptionPair> pairs = pairs("pairs", n.pairImages(), n.captionsPerPair(), SceneSampler.Constraint.SEEN);
        writeList("annotations/pretrain_pairs.json", pairs);
        List<CaptionPair> web = pairs("web", n.webImages(), 1, SceneSampler.Constraint.ANY);
        writeList("annotations/web_pairs.json", web);
        List<String> sentences = corpus("sentences", n.sentences(), this::sentence);
        List<String> qa = corpus("qa", n.qaPassages(), this::qaPassage);
        WorldManifest.VqaFiles vqav2 = vqa("vqav2", n.vqaImages(), WorldSize.VQA_QUESTIONS_PER_IMAGE, false);
        WorldManifest.VqaFiles okvqa = vqa("okvqa", n.okvqaImages(), WorldSize.OKVQA_QUESTIONS_PER_IMAGE, true);
        String gqaDomains = gqa();
        WorldManifest.CaptionFiles nocaps = nocaps();
        WorldManifest.CaptionFiles coco = cocoCaption();
        retrieval();
        String pformerTok = "tokenizers/pformer/tokenizer.json";
        String llmTok = "tokenizers/llm/tokenizer.json";
        buildTokenizers(pformerTok, llmTok);

        WorldManifest.Datasets datasets = new WorldManifest.Datasets(
                new WorldManifest.Annotations("annotations/pretrain_pairs.json", "images"),
                new WorldManifest.Annotations("annotations/web_pairs.json", "images"),
                sentences, qa, vqav2, okvqa, new WorldManifest.Annotations("gqa/testdev.json", "images"), gqaDomains,
                nocaps, coco, new WorldManifest.Annotations("retrieval/test.json", "images"), pformerTok, llmTok);
        Map<String, Object> digestInput = new TreeMap<>();
        digestInput.put("files", files);
        digestInput.put("image_sets", imageSets);
        String digest = Sha256.of(Json.MAPPER.writeValueAsBytes(digestInput));
        WorldManifest m = new WorldManifest(WorldManifest.FORMAT, WorldManifest.VERSION, spec, n,
                List.of(Shape.values()), List.of(Colour.values()), split, datasets, files, imageSets, digest);
        Json.writePretty(dir.resolve(WorldManifest.FILE), m);
        return m;
    }

    /** What an image set generates with each scene (captions, questions, …), from the scene's random stream. */
    private interface Payload<T> {
        T of(Scene scene, SplittableRandom rng);
    }

    /**
     * Generates {@code count} images of {@code set} in parallel — scene i drawn under {@code constraint.apply(i)}
     * from its own stream, rendered, then its payload — writes the PNGs and returns the items in order.
     */
    private <T> List<Item<T>> images(String set, int count, IntFunction<SceneSampler.Constraint> constraint,
                                     Payload<T> payload) throws IOException {
        IntFunction<Item<T>> make = i -> {
            SplittableRandom rng = Seeds.rng(spec.seed(), set, i);
            Scene scene = sampler.sample(rng, constraint.apply(i));
            byte[] png = render(scene, rng);
            return new Item<>(imageName(set, i), png, payload.of(scene, rng));
        };
        Path d = dir.resolve("images").resolve(set);
        Files.createDirectories(d);
        List<Item<T>> items;
        try {
            items = IntStream.range(0, count).parallel().mapToObj(i -> {
                Item<T> it = make.apply(i);
                try {
                    Files.write(d.resolve(Path.of(it.image()).getFileName()), it.png());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return it;
            }).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<String> lines = new ArrayList<>(count);
        long bytes = 0;
        for (Item<T> it : items) {
            lines.add(Path.of(it.image()).getFileName() + " " + Sha256.of(it.png()));
            bytes += it.png().length;
        }
        lines.sort(null);
        imageSets.put(set, listingDigest(lines, bytes));
        return items;
    }

    private byte[] render(Scene scene, SplittableRandom rng) {
        return SceneRenderer.png(SceneRenderer.render(scene, spec.imageSize(), rng));
    }

    private static String imageName(String set, int i) {
        return String.format("%s/%06d.png", set, i);
    }

    private List<CaptionPair> pairs(String set, int count, int captions, SceneSampler.Constraint constraint)
            throws IOException {
        List<Item<List<String>>> items = images(set, count, i -> constraint,
                (scene, rng) -> distinctCaptions(scene, captions, rng));
        List<CaptionPair> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            for (String c : items.get(i).payload()) {
                out.add(new CaptionPair(items.get(i).image(), c, String.format("%s_%06d", set, i)));
                allText.add(c);
            }
        }
        return out;
    }

    /** {@code k} captions of the scene, distinct when the grammar allows it. */
    private static List<String> distinctCaptions(Scene scene, int k, SplittableRandom rng) {
        List<String> out = distinct(k, () -> CaptionGrammar.caption(scene, rng), c -> c);
        while (out.size() < k) {
            out.add(CaptionGrammar.caption(scene, rng));
        }
        return out;
    }

    /** Up to {@code k} draws with distinct keys (20 tries per wanted draw). */
    private static <T> List<T> distinct(int k, java.util.function.Supplier<T> draw,
                                        java.util.function.Function<T, String> key) {
        List<T> out = new ArrayList<>(k);
        Set<String> seen = new java.util.HashSet<>();
        for (int tries = 0; out.size() < k && tries < 20 * k; tries++) {
            T t = draw.get();
            if (seen.add(key.apply(t))) {
                out.add(t);
            }
        }
        return out;
    }

    private String sentence(int i) {
        SplittableRandom rng = Seeds.rng(spec.seed(), "sentences", i);
        int r = rng.nextInt(20);
        if (r < 15) {
            return CaptionGrammar.caption(sampler.sample(rng, SceneSampler.Constraint.ANY), rng);
        } else if (r < 18) {
            return WorldFacts.fact(rng);
        }
        return Words.surface(CaptionGrammar.description(sampler.sample(rng, SceneSampler.Constraint.ANY), rng), rng);
    }

    /**
     * Streams {@code count} lines of the world's sentence corpus (the same lines as the world of this seed has in
     * {@code corpus/sentences-*.txt}, for the first {@code sentences} of them) into {@code parts} files — for
     * ingestion benchmarks that need millions of sentences without images.
     */
    public static List<Path> writeSentenceCorpus(long seed, long count, Path dir, int parts) throws IOException {
        WorldGenerator g = new WorldGenerator(new WorldSpec("large", seed, WorldSpec.DEFAULT_IMAGE_SIZE), dir);
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        long per = (count + parts - 1) / parts;
        for (int part = 0; part < parts; part++) {
            Path f = dir.resolve(String.format("sentences-%02d.txt", part));
            try (java.io.Writer w = Files.newBufferedWriter(f)) {
                for (long i = part * per; i < Math.min(count, (part + 1) * per); i++) {
                    w.write(g.sentence(Math.toIntExact(i)));
                    w.write('\n');
                }
            }
            files.add(f);
        }
        return files;
    }

    /** "<description>. Question: <q> Short answer: <a>" — the zero-shot VQA prompt format, with its answer. */
    private String qaPassage(int i) {
        SplittableRandom rng = Seeds.rng(spec.seed(), "qa", i);
        Scene scene = sampler.sample(rng, SceneSampler.Constraint.ANY);
        String description = Words.capitalize(CaptionGrammar.description(scene, rng));
        String q;
        String a;
        int kind = rng.nextInt(4);
        if (kind < 2) {
            Questions.Qa qa = Questions.vqa(scene, rng);
            q = qa.question();
            a = qa.answer();
        } else if (kind == 2) {
            Questions.Qa qa = Questions.okvqa(scene, rng);
            q = qa.question();
            a = qa.answer();
        } else {
            Questions.Gqa g = Questions.gqa(scene, rng);
            q = g.question();
            a = g.answer();
        }
        return description + ". Question: " + q + " Short answer: " + a;
    }

    /** Writes {@code count} lines in {@value #CORPUS_PARTS} files; returns their paths. */
    private List<String> corpus(String name, int count, IntFunction<String> line) throws IOException {
        List<String> lines = IntStream.range(0, count).parallel().mapToObj(line).toList();
        allText.addAll(lines);
        List<String> paths = new ArrayList<>();
        int per = (count + CORPUS_PARTS - 1) / CORPUS_PARTS;
        for (int part = 0; part < CORPUS_PARTS; part++) {
            StringBuilder sb = new StringBuilder();
            for (int i = part * per; i < Math.min(count, (part + 1) * per); i++) {
                sb.append(lines.get(i)).append('\n');
            }
            String rel = String.format("corpus/%s-%02d.txt", name, part);
            writeFile(rel, sb.toString().getBytes(StandardCharsets.UTF_8));
            paths.add(rel);
        }
        return paths;
    }

    private record VqaImage(NocapsDomain domain, List<Questions.Qa> questions) {}

    private record VqaQuestionsFile(Map<String, Object> info, String taskType, String dataType, String dataSubtype,
                                    List<VqaQuestion> questions, Map<String, String> license) {}

    private record VqaAnnotationsFile(Map<String, Object> info, String dataType, String dataSubtype,
                                      List<VqaAnnotation> annotations, Map<String, String> license) {}

    private WorldManifest.VqaFiles vqa(String set, int count, int perImage, boolean knowledge) throws IOException {
        List<Item<VqaImage>> items = images(set, count, i -> SceneSampler.Constraint.ANY,
                (scene, rng) -> new VqaImage(scene.domain(split), distinct(perImage,
                        () -> knowledge ? Questions.okvqa(scene, rng) : Questions.vqa(scene, rng),
                        Questions.Qa::question)));
        List<VqaQuestion> questions = new ArrayList<>();
        List<VqaAnnotation> annotations = new ArrayList<>();
        Map<String, String> domains = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            List<Questions.Qa> qs = items.get(i).payload().questions();
            for (int k = 0; k < qs.size(); k++) {
                Questions.Qa q = qs.get(k);
                long qid = i * 1000L + k;
                questions.add(new VqaQuestion(i, q.question(), qid));
                List<VqaAnswer> answers = new ArrayList<>();
                for (int a = 0; a < q.answers().size(); a++) {
                    String ans = q.answers().get(a);
                    boolean right = Questions.normalizedEquals(ans, q.answer());
                    answers.add(new VqaAnswer(ans, right ? "yes" : "maybe", a + 1, knowledge ? ans : null));
                }
                annotations.add(new VqaAnnotation(qid, i, q.questionType(), q.answerType(), answers,
                        Questions.mostCommon(q.answers())));
                domains.put(Long.toString(qid), items.get(i).payload().domain().label());
                allText.add(q.question());
                allText.addAll(q.answers());
            }
        }
        Map<String, Object> info = new TreeMap<>(Map.of("description", "P-Former benchmark world: "
                + (knowledge ? "OK-VQA" : "VQAv2") + "-like questions", "version", "1.0", "world_seed", spec.seed()));
        Map<String, String> license = Map.of("name", "generated data, no restrictions", "url", "");
        // Compact, as the official files are.
        writeCompact(set + "/questions.json", new VqaQuestionsFile(info, "Open-Ended", "world", "test", questions,
                license));
        writeCompact(set + "/annotations.json", new VqaAnnotationsFile(info, "world", "test", annotations,
                license));
        writeJson(set + "/domains.json", domains);
        return new WorldManifest.VqaFiles(set + "/questions.json", set + "/annotations.json", "images",
                set + "/%06d.png", set + "/domains.json");
    }

    private record GqaImage(NocapsDomain domain, List<Questions.Gqa> questions) {}

    private String gqa() throws IOException {
        String set = "gqa";
        int perImage = WorldSize.GQA_QUESTIONS_PER_IMAGE;
        List<Item<GqaImage>> items = images(set, n.gqaImages(), i -> SceneSampler.Constraint.ANY,
                (scene, rng) -> new GqaImage(scene.domain(split), distinct(perImage,
                        () -> Questions.gqa(scene, rng), Questions.Gqa::question)));
        List<GqaQuestion> out = new ArrayList<>();
        Map<String, String> domains = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            List<Questions.Gqa> qs = items.get(i).payload().questions();
            for (int k = 0; k < qs.size(); k++) {
                String id = Long.toString(i * 10L + k);
                Questions.Gqa q = qs.get(k);
                out.add(new GqaQuestion(items.get(i).image(), q.question(), id, q.answer(), q.fullAnswer()));
                domains.put(id, items.get(i).payload().domain().label());
                allText.add(q.question());
                allText.add(q.answer());
                allText.add(q.fullAnswer());
            }
        }
        writeList("gqa/testdev.json", out);
        writeJson("gqa/domains.json", domains);
        return "gqa/domains.json";
    }

    private record CaptionedImage(NocapsDomain domain, List<String> captions) {}

    private WorldManifest.CaptionFiles nocaps() throws IOException {
        String set = "nocaps";
        NocapsDomain[] order = {NocapsDomain.IN, NocapsDomain.NEAR, NocapsDomain.OUT};
        List<Item<CaptionedImage>> items = images(set, 3 * n.nocapsPerDomain(), i -> switch (order[i % 3]) {
            case IN -> SceneSampler.Constraint.IN_DOMAIN;
            case NEAR -> SceneSampler.Constraint.NEAR_DOMAIN;
            case OUT -> SceneSampler.Constraint.OUT_DOMAIN;
        }, (scene, rng) -> new CaptionedImage(scene.domain(split),
                distinctCaptions(scene, WorldSize.NOCAPS_REFERENCES, rng)));
        List<NocapsImage> list = new ArrayList<>();
        List<CocoCaptions.Image> images = new ArrayList<>();
        List<CocoCaptions.Annotation> refs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item<CaptionedImage> it = items.get(i);
            list.add(new NocapsImage(it.image(), i, it.payload().domain()));
            images.add(new CocoCaptions.Image(i, it.image(), it.payload().domain()));
            for (String c : it.payload().captions()) {
                refs.add(new CocoCaptions.Annotation(i, refs.size(), c));
                allText.add(c);
            }
        }
        writeList("nocaps/val.json", list);
        writeCompact("nocaps/val_captions.json", new CocoCaptions(images, refs));
        return new WorldManifest.CaptionFiles("nocaps/val.json", "nocaps/val_captions.json", "images");
    }

    private WorldManifest.CaptionFiles cocoCaption() throws IOException {
        List<Item<CaptionedImage>> items = captioned("coco", n.cocoImages(), WorldSize.COCO_REFERENCES,
                SceneSampler.Constraint.SEEN);
        List<ImageCaptions> list = new ArrayList<>();
        List<CocoCaptions.Image> images = new ArrayList<>();
        List<CocoCaptions.Annotation> refs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item<CaptionedImage> it = items.get(i);
            list.add(new ImageCaptions(it.image(), it.payload().captions()));
            images.add(new CocoCaptions.Image(i, it.image(), null));
            for (String c : it.payload().captions()) {
                refs.add(new CocoCaptions.Annotation(i, refs.size(), c));
            }
        }
        writeList("coco/karpathy_test.json", list);
        writeCompact("coco/karpathy_test_gt.json", new CocoCaptions(images, refs));
        return new WorldManifest.CaptionFiles("coco/karpathy_test.json", "coco/karpathy_test_gt.json", "images");
    }

    private void retrieval() throws IOException {
        List<Item<CaptionedImage>> items = captioned("retrieval", n.retrievalImages(), WorldSize.RETRIEVAL_CAPTIONS,
                SceneSampler.Constraint.ANY);
        writeList("retrieval/test.json", items.stream()
                .map(it -> new ImageCaptions(it.image(), it.payload().captions())).toList());
    }

    private List<Item<CaptionedImage>> captioned(String set, int count, int captions,
                                                 SceneSampler.Constraint constraint) throws IOException {
        List<Item<CaptionedImage>> items = images(set, count, i -> constraint,
                (scene, rng) -> new CaptionedImage(scene.domain(split), distinctCaptions(scene, captions, rng)));
        items.forEach(it -> allText.addAll(it.payload().captions()));
        return items;
    }

    /** The world's WordPiece (P-Former / Q-Former) and byte-level BPE (LLM) tokenizers, from all its text. */
    private void buildTokenizers(String pformerPath, String llmPath) throws IOException {
        WordPieceTokenizerBuilder wp = new WordPieceTokenizerBuilder(1);
        ByteLevelBpeBuilder bpe = new ByteLevelBpeBuilder(LLM_VOCAB_CAP, 2);
        for (String t : allText) {
            wp.add(t);
            bpe.add(t + "\n");
        }
        // The zero-shot VQA prompt must tokenize like the QA passages the LLM is trained on.
        bpe.add("Question: Short answer:");
        wp.write(dir.resolve(pformerPath));
        bpe.write(dir.resolve(llmPath));
        record(pformerPath);
        record(llmPath);
    }

    // ------------------------------------------------------------------------------------------------ files

    private void writeFile(String rel, byte[] bytes) throws IOException {
        AtomicFiles.write(dir.resolve(rel), bytes);
        files.put(rel, new WorldManifest.FileDigest(bytes.length, Sha256.of(bytes)));
    }

    private void record(String rel) throws IOException {
        Path f = dir.resolve(rel);
        files.put(rel, new WorldManifest.FileDigest(Files.size(f), Sha256.of(f)));
    }

    private void writeJson(String rel, Object value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Json.pretty().writeValue(out, value);
        out.write('\n');
        writeFile(rel, out.toByteArray());
    }

    private void writeCompact(String rel, Object value) throws IOException {
        byte[] json = Json.compact().writeValueAsBytes(value);
        byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        writeFile(rel, out);
    }

    /** A JSON list with one compact element per line: small, deterministic and line-diffable. */
    private void writeList(String rel, List<?> elements) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('[');
        for (int i = 0; i < elements.size(); i++) {
            out.write(i == 0 ? "\n".getBytes(StandardCharsets.UTF_8) : ",\n".getBytes(StandardCharsets.UTF_8));
            out.write(Json.compact().writeValueAsBytes(elements.get(i)));
        }
        out.write("\n]\n".getBytes(StandardCharsets.UTF_8));
        writeFile(rel, out.toByteArray());
    }
}
