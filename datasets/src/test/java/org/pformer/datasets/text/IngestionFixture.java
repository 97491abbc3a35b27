package org.pformer.datasets.text;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.pformer.datasets.Fixtures;
import org.pformer.datasets.io.TextSource;
import org.pformer.datasets.tokenize.LlmTokenizer;
import org.pformer.datasets.tokenize.PFormerTokenizer;

/** Shared pieces of the ingestion tests. */
final class IngestionFixture {

    private IngestionFixture() {}

    static PFormerTokenizer pformer() throws IOException {
        return PFormerTokenizer.load(Fixtures.path("fixture_pformer_tokenizer.json"), 32);
    }

    static LlmTokenizer llm() throws IOException {
        return LlmTokenizer.load(Fixtures.path("fixture_llm_tokenizer.json"), 32);
    }

    static void gzip(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /**
     * A corpus of {@code files} plain-text files with {@code lines} lines each: world-like sentences with numbers
     * (so most are unique), every 7th line a repeat (so de-duplication has work), every 50th line blank.
     */
    static void corpus(Path dir, int files, int lines) throws IOException {
        List<String> base = Files.readAllLines(Fixtures.path("tokenizer_corpus.txt"));
        Files.createDirectories(dir);
        for (int f = 0; f < files; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                int k = f * lines + i;
                if (k % 50 == 0) {
                    sb.append('\n');
                } else if (k % 7 == 0) {
                    sb.append(base.get(k % base.size())).append('\n');
                } else {
                    sb.append(base.get(k % base.size())).append(" number ").append(k).append('\n');
                }
            }
            Files.writeString(dir.resolve(String.format("part-%02d.txt", f)), sb.toString());
        }
    }

    /** Every file of a directory (relative name ↦ bytes), for byte-for-byte comparisons. */
    static TreeMap<String, byte[]> contents(Path dir) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** Wraps sources so that reading fails after {@code failAfterBytes} bytes in total (a crash / lost connection). */
    static List<TextSource> failingAfter(List<TextSource> sources, long failAfterBytes) {
        long[] budget = {failAfterBytes};
        List<TextSource> out = new ArrayList<>();
        for (TextSource s : sources) {
            out.add(new TextSource() {
                @Override
                public String name() {
                    return s.name();
                }

                @Override
                public long size() {
                    return s.size();
                }

                @Override
                public InputStream open() throws IOException {
                    return new FilterInputStream(s.open()) {
                        @Override
                        public int read() throws IOException {
                            take(1);
                            return super.read();
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = (int) Math.min(len, Math.max(1, budget[0]));
                            take(n);
                            return super.read(b, off, n);
                        }

                        @Override
                        public int available() {
                            return 0; // so buffered readers hand out what they have instead of reading ahead
                        }

                        private void take(int n) throws IOException {
                            if (budget[0] <= 0) {
                                throw new IOException("injected failure: connection lost");
                            }
                            budget[0] -= n;
                        }
                    };
                }
            });
        }
        return out;
    }
}
