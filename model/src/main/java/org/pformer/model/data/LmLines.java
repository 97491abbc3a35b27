package org.pformer.model.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.datasets.tokenize.LlmTokenizer;

/** Language-model training lines from plain-text files: one sentence per line, LAVIS-cleaned, LLM-tokenised. */
public final class LmLines {

    private LmLines() {}

    /**
     * Reads up to {@code maxLines} non-blank lines from the files in order, cleans each as sentence ingestion does
     * ({@link BlipCaptionCleaner}) and encodes it as the LLM sees a caption ({@code </s> … \n}).
     */
    public static List<long[]> fromFiles(List<Path> textFiles, LlmTokenizer llm, int maxLines) throws IOException {
        BlipCaptionCleaner cleaner = new BlipCaptionCleaner();
        List<String> clean = new ArrayList<>();
        for (Path file : textFiles) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line = r.readLine(); line != null && clean.size() < maxLines; line = r.readLine()) {
                    String c = cleaner.clean(line);
                    if (!c.isBlank()) {
                        clean.add(c);
                    }
                }
            }
        }
        List<long[]> out = new ArrayList<>(clean.size());
        int[][] ids = llm.encodeCaptions(clean);
        for (int[] row : ids) {
            long[] l = new long[row.length];
            for (int i = 0; i < row.length; i++) {
                l[i] = row[i];
            }
            out.add(l);
        }
        return out;
    }
}
