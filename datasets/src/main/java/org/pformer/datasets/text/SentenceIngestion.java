package org.pformer.datasets.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pformer.datasets.io.AtomicFiles;
import org.pformer.datasets.io.Json;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.io.Sha256;
import org.pformer.datasets.io.TextSource;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline stage 1: sentence ingestion. Streams every input file in order, cleans each candidate sentence as
 * LAVIS {@code blip_caption} does, filters and de-duplicates it, tokenizes the kept ones with both tokenizers and
 * writes them into token shards ({@link TokenShardFormat}) plus a {@link ShardManifest}.
 *
 * <p><b>Resume.</b> After every completed shard the cursor — (input file, item within it, shard count, counts so
 * far, malformed samples, shard digests) — is committed to {@value #STATE_FILE} atomically (temporary file, fsync,
 * rename). A run that finds the cursor continues from it: shards written after the cursor are deleted and
 * re-made, the de-duplication set is rebuilt from the committed shards' texts, and the input is re-read from the
 * committed item on. The finished directory is therefore byte-for-byte the same whether or not (and however
 * often) the ingestion was interrupted. A directory that already holds the finished corpus is returned as is.
 *
 * <p><b>Memory.</b> One tokenizer batch, one shard's offset index (8 bytes per sentence), and the de-duplication
 * set (16 bytes per kept sentence, {@link FingerprintSet}); records longer than {@code max_line_chars} are never
 * held.
 */
public final class SentenceIngestion {

    public static final String STATE_FILE = "ingest-state.json";

    private static final Logger LOG = LoggerFactory.getLogger(SentenceIngestion.class);
    private static final Pattern SHARD_NAME = Pattern.compile("shard-(\\d{5})\\.bin");

    private final IngestOptions options;
    private final PFormerTokenizer pformer;
    private final LlmTokenizer llm;
    private final BlipCaptionCleaner cleaner;
    private IngestListener listener = IngestListener.NONE;
    private int batchSize = 1024;
    private int threads = Runtime.getRuntime().availableProcessors();

    public SentenceIngestion(IngestOptions options, PFormerTokenizer pformer, LlmTokenizer llm) {
        this.options = Objects.requireNonNull(options, "options");
        this.pformer = Objects.requireNonNull(pformer, "pformer");
        this.llm = Objects.requireNonNull(llm, "llm");
        this.cleaner = new BlipCaptionCleaner(options.maxWords());
    }

    public SentenceIngestion listener(IngestListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /**
     * Speed settings; they never change the output. {@code batchSize} sentences are tokenized at a time, split over
     * {@code threads} threads (default: one per CPU).
     */
    public SentenceIngestion tuning(int batchSize, int threads) {
        if (batchSize < 1 || threads < 1) {
            throw new IllegalArgumentException("batch size and threads must be >= 1, got " + batchSize + ", "
                    + threads);
        }
        this.batchSize = batchSize;
        this.threads = threads;
        return this;
    }

    /** The resume cursor, as committed to {@value #STATE_FILE}. */
    record State(
            String job,
            int fileIndex,
            long itemIndex,
            long fileTexts,
            long fileMalformed,
            List<ShardManifest.Shard> shards,
            List<ShardManifest.Input> inputs,
            IngestCounts counts,
            List<MalformedSample> malformedSamples) {

        static State initial(String job) {
            return new State(job, 0, 0, 0, 0, List.of(), List.of(), IngestCounts.zero(), List.of());
        }
    }

    /**
     * Ingests {@code sources} (in the given order) into {@code outDir}, resuming an interrupted run there.
     *
     * @throws MalformedDataException a file that cannot be parsed at all, or inputs that changed under a resume
     * @throws InterruptedIOException the thread was interrupted; the next run resumes from the last shard
     */
    public IngestResult run(List<TextSource> sources, Path outDir) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(outDir);
        String job = jobFingerprint(sources);
        Path stateFile = outDir.resolve(STATE_FILE);
        Path manifestFile = outDir.resolve(ShardManifest.FILE);
        if (Files.exists(manifestFile)) {
            ShardManifest done = ShardManifest.read(outDir);
            if (!done.job().equals(job)) {
                throw new IllegalStateException(outDir + " already holds a finished ingestion of other inputs, "
                        + "options or tokenizers (job " + done.job() + ", this one is " + job
                        + "); use an empty directory");
            }
            Files.deleteIfExists(stateFile);
            return new IngestResult(done, outDir, 0, seconds(t0), false, true);
        }
        State state = Files.exists(stateFile) ? Json.MAPPER.readValue(stateFile.toFile(), State.class)
                : State.initial(job);
        boolean resumed = Files.exists(stateFile);
        if (!state.job().equals(job)) {
            throw new IllegalStateException(stateFile + " belongs to an ingestion of other inputs, options or "
                    + "tokenizers (job " + state.job() + ", this one is " + job + "); delete the directory to start "
                    + "over");
        }
        if (state.fileIndex() > sources.size()) {
            throw new IllegalStateException(stateFile + " points past the last input");
        }
        if (resumed) {
            LOG.info("resuming ingestion in {} at input {} item {} ({} shards, {} sentences committed)", outDir,
                    state.fileIndex(), state.itemIndex(), state.shards().size(), state.counts().kept());
            listener.resumed(state.shards().size(), state.counts());
        }
        long items;
        ShardManifest manifest;
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, daemonThreads()) : null;
        try {
            Run run = new Run(sources, outDir, state, pool);
            items = run.execute();
            manifest = run.manifest();
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        Json.writePretty(manifestFile, manifest);
        Files.deleteIfExists(stateFile);
        AtomicFiles.fsyncDirectory(outDir);
        double s = seconds(t0);
        LOG.info("ingested {} sentences into {} shards in {} ({} items in {} s, {} items/s)", manifest.sentences(),
                manifest.shards().size(), outDir, items, String.format("%.1f", s),
                String.format("%.0f", items / Math.max(s, 1e-9)));
        return new IngestResult(manifest, outDir, items, s, resumed, false);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * SHA-256 over the canonical JSON of the inputs (names, sizes, stored versions where the store has them: S3
     * ETags), the options and both tokenizers.
     */
    String jobFingerprint(List<TextSource> sources) throws IOException {
        ObjectNode job = Json.MAPPER.createObjectNode();
        ArrayNode in = job.putArray("inputs");
        for (TextSource s : sources) {
            ObjectNode input = in.addObject().put("name", s.name()).put("size", s.size());
            if (s.revision() != null) {
                input.put("revision", s.revision());
            }
        }
        job.set("options", Json.MAPPER.valueToTree(options));
        job.set("pformer_tokenizer", Json.MAPPER.valueToTree(pformerInfo()));
        job.set("llm_tokenizer", Json.MAPPER.valueToTree(llmInfo()));
        return Sha256.of(Json.MAPPER.writeValueAsBytes(job));
    }

    private ShardManifest.TokenizerInfo pformerInfo() {
        return new ShardManifest.TokenizerInfo(pformer.sha256(), pformer.maxLength(), pformer.vocabSize());
    }

    private ShardManifest.TokenizerInfo llmInfo() {
        return new ShardManifest.TokenizerInfo(llm.sha256(), llm.maxLength(), llm.vocabSize());
    }

    /** One execution: the mutable cursor plus the open shard. */
    private final class Run {
        private final List<TextSource> sources;
        private final Path dir;
        private final String job;
        private final IngestCounts.Tally tally;
        private final List<ShardManifest.Shard> shards;
        private final List<ShardManifest.Input> inputs;
        private final List<MalformedSample> samples;
        private final FingerprintSet seen;
        private final List<String> batch = new ArrayList<>();
        private final List<Boolean> batchTruncatedWords = new ArrayList<>();
        private final ExecutorService pool;
        private int fileIndex;
        private long skip;
        private long fileTexts;
        private long fileMalformed;
        private ShardWriter writer;
        private long itemsThisRun;

        Run(List<TextSource> sources, Path dir, State state, ExecutorService pool) throws IOException {
            this.pool = pool;
            this.sources = sources;
            this.dir = dir;
            this.job = state.job();
            this.tally = new IngestCounts.Tally(state.counts());
            this.shards = new ArrayList<>(state.shards());
            this.inputs = new ArrayList<>(state.inputs());
            this.samples = new ArrayList<>(state.malformedSamples());
            this.fileIndex = state.fileIndex();
            this.skip = state.itemIndex();
            this.fileTexts = state.fileTexts();
            this.fileMalformed = state.fileMalformed();
            removeUncommitted();
            this.seen = options.dedupe() ? rebuildSeen() : null;
        }

        /** Deletes shards past the cursor (a crash may have left one half-written) and temporary files. */
        private void removeUncommitted() throws IOException {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    Matcher m = SHARD_NAME.matcher(name);
                    if ((m.matches() && Integer.parseInt(m.group(1)) >= shards.size())
                            || (name.startsWith(".shard-") && name.endsWith(".partial"))) {
                        Files.delete(p);
                    }
                }
            }
        }

        /** The de-duplication set of the committed shards (each verified against its committed digest first). */
        private FingerprintSet rebuildSeen() throws IOException {
            FingerprintSet set = new FingerprintSet((int) Math.min(Integer.MAX_VALUE / 2, tally.kept * 2 + 16));
            for (ShardManifest.Shard s : shards) {
                Path f = dir.resolve(s.file());
                if (!Files.isRegularFile(f) || !Sha256.of(f).equals(s.sha256())) {
                    throw new MalformedDataException(f.toString(), "committed shard is missing or its SHA-256 "
                            + "differs from the cursor; delete " + dir + " to start over");
                }
                try (ShardReader r = ShardReader.open(f); ShardReader.Cursor c = r.cursor(0)) {
                    while (c.hasNext()) {
                        set.add(c.next().text());
                    }
                }
            }
            return set;
        }

        long execute() throws IOException {
            while (fileIndex < sources.size()) {
                ingestFile(sources.get(fileIndex));
                fileIndex++;
                skip = 0;
                fileTexts = 0;
                fileMalformed = 0;
            }
            if (writer != null) {
                commit(sources.size(), 0);
            }
            return itemsThisRun;
        }

        private void ingestFile(TextSource source) throws IOException {
            try (SentenceItems items = SentenceItems.open(source, options.textFields(), options.maxLineChars())) {
                long item = 0;
                for (; item < skip; item++) {
                    if (items.next() == null) {
                        throw new MalformedDataException(source.name(), "has fewer items (" + item + ") than the "
                                + "resume cursor (" + skip + "): the input changed since ingestion started");
                    }
                }
                boolean eof = false;
                while (!eof) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("ingestion interrupted; it resumes after shard "
                                + shards.size());
                    }
                    int need = options.shardSize() - (writer == null ? 0 : writer.count());
                    need = Math.min(need, batchSize);
                    while (batch.size() < need) {
                        SentenceItems.Item it = items.next();
                        if (it == null) {
                            eof = true;
                            break;
                        }
                        classify(source, item, it);
                        item++;
                        tally.items++;
                        itemsThisRun++;
                    }
                    writeBatch();
                    listener.batchWritten(itemsThisRun);
                    if (writer != null && writer.count() == options.shardSize()) {
                        commit(fileIndex, item);
                    }
                }
                if (fileTexts == 0 && fileMalformed > 0) {
                    MalformedSample first = samples.stream().filter(s -> s.source().equals(source.name()))
                            .findFirst().orElse(null);
                    throw new MalformedDataException(source.name(), "none of its " + fileMalformed + " records "
                            + "holds text in a field " + options.textFields() + (first == null ? ""
                            : " (first: " + first.reason() + ": " + first.excerpt() + ")"));
                }
                inputs.add(new ShardManifest.Input(source.name(), source.size(), item));
            }
        }

        private void classify(TextSource source, long item, SentenceItems.Item it) {
            if (!it.ok()) {
                if (SentenceItems.TOO_LONG.equals(it.problem())) {
                    tally.drop(IngestCounts.TOO_LONG);
                    fileTexts++;
                } else {
                    tally.malformed(it.problem());
                    fileMalformed++;
                }
                if (samples.size() < options.malformedSamples()) {
                    samples.add(new MalformedSample(source.name(), item, it.problem(), it.excerpt()));
                }
                return;
            }
            fileTexts++;
            BlipCaptionCleaner.Cleaned c = cleaner.cleanCounted(it.text());
            int words = c.words();
            if (words == 0) {
                tally.drop(IngestCounts.EMPTY);
            } else if (words < options.minWords()) {
                tally.drop(IngestCounts.TOO_SHORT);
            } else if (seen != null && !seen.add(c.text())) {
                tally.drop(IngestCounts.DUPLICATE);
            } else {
                batch.add(c.text());
                batchTruncatedWords.add(c.truncated());
            }
        }

        private void writeBatch() throws IOException {
            if (batch.isEmpty()) {
                return;
            }
            int n = batch.size();
            boolean[] pTrunc = new boolean[n];
            boolean[] lTrunc = new boolean[n];
            int[][] p = new int[n][];
            int[][] l = new int[n][];
            // Contiguous chunks, one per thread (the calling thread takes the first); results land by index, so the
            // output does not depend on the number of threads.
            int chunks = pool == null ? 1 : Math.min(threads, n);
            List<Future<?>> pending = new ArrayList<>(chunks);
            for (int c = 1; c < chunks; c++) {
                int from = c * n / chunks;
                int to = (c + 1) * n / chunks;
                pending.add(pool.submit(() -> tokenize(from, to, p, l, pTrunc, lTrunc)));
            }
            tokenize(0, n / chunks, p, l, pTrunc, lTrunc);
            for (Future<?> f : pending) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("ingestion interrupted; it resumes after shard " + shards.size());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
            if (writer == null) {
                writer = new ShardWriter(dir.resolve(partialName(shards.size())));
            }
            for (int i = 0; i < batch.size(); i++) {
                writer.write(new TokenizedSentence(batch.get(i), p[i], l[i]));
                tally.kept++;
                tally.truncatedWords += batchTruncatedWords.get(i) ? 1 : 0;
                tally.truncatedPformer += pTrunc[i] ? 1 : 0;
                tally.truncatedLlm += lTrunc[i] ? 1 : 0;
            }
            batch.clear();
            batchTruncatedWords.clear();
        }

        private void tokenize(int from, int to, int[][] p, int[][] l, boolean[] pTrunc, boolean[] lTrunc) {
            if (from >= to) {
                return;
            }
            List<String> texts = batch.subList(from, to);
            boolean[] pt = new boolean[to - from];
            boolean[] lt = new boolean[to - from];
            int[][] pi = pformer.encodeBatch(texts, pt);
            int[][] li = llm.encodeCaptions(texts, lt);
            System.arraycopy(pi, 0, p, from, to - from);
            System.arraycopy(li, 0, l, from, to - from);
            System.arraycopy(pt, 0, pTrunc, from, to - from);
            System.arraycopy(lt, 0, lTrunc, from, to - from);
        }

        /** Closes the open shard, renames it to its final name and commits the cursor past {@code item}. */
        private void commit(int nextFile, long nextItem) throws IOException {
            int index = shards.size();
            writer.close();
            Path done = dir.resolve(TokenShardFormat.fileName(index));
            AtomicFiles.moveDurably(writer.file(), done);
            ShardManifest.Shard shard = new ShardManifest.Shard(done.getFileName().toString(), writer.count(),
                    Files.size(done), Sha256.of(done));
            writer = null;
            shards.add(shard);
            State state = new State(job, nextFile, nextItem, nextFile == fileIndex ? fileTexts : 0,
                    nextFile == fileIndex ? fileMalformed : 0, shards, inputs, tally.snapshot(), samples);
            Json.writePretty(dir.resolve(STATE_FILE), state);
            listener.shardCommitted(shard, state.counts());
        }

        ShardManifest manifest() {
            return new ShardManifest(ShardManifest.FORMAT, TokenShardFormat.VERSION, job, tally.kept, shards,
                    pformerInfo(), llmInfo(), options, inputs, tally.snapshot(), samples);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "ingest-tokenizer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static String partialName(int index) {
        return "." + TokenShardFormat.fileName(index) + ".partial";
    }
}
