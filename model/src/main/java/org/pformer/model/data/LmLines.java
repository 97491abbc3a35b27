package org.pformer.model.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pformer.datasets.io.Compression;
import org.pformer.datasets.io.MalformedDataException;
import org.pformer.datasets.text.BlipCaptionCleaner;
import org.pformer.datasets.tokenize.LlmTokenizer;

/**
 * The LM lines of the world's LLM training ({@code foundation.LmLineSource}): text files with one sentence per
 * line (optionally gzip'd), each cleaned with LAVIS's {@code pre_caption} as sentence ingestion does, blank lines
 * skipped, and encoded as a caption ({@code </s> sentence "\n"}, {@link LlmTokenizer#encodeCaption}).
 */
public final class LmLines {

    /** Lines tokenised per tokenizer call. */
    private static final int CHUNK = 1024;

    private LmLines() {}

    /**
     * Reads the files in order and returns the first {@code maxLines} non-blank lines, encoded.
     *
     * @throws UncheckedIOException a file that cannot be read, or (wrapping a {@link MalformedDataException}) one
     *     that is not UTF-8, named with the line
     */
    public static List<long[]> fromFiles(List<Path> textFiles, LlmTokenizer llm, int maxLines) {
        if (maxLines <= 0) {
            throw new IllegalArgumentException("maxLines must be > 0, got " + maxLines);
        }
        BlipCaptionCleaner cleaner = new BlipCaptionCleaner();
        List<String> clean = new ArrayList<>();
        for (Path file : textFiles) {
            if (clean.size() >= maxLines) {
                break;
            }
            try {
                readLines(file, maxLines, cleaner, clean);
            } catch (IOException e) {
                throw new UncheckedIOException(e instanceof MalformedDataException ? e.getMessage()
                        : file + ": cannot read the LM lines: " + e.getMessage(), e);
            }
        }
        List<long[]> out = new ArrayList<>(clean.size());
        for (int from = 0; from < clean.size(); from += CHUNK) {
            // encodeCaptions = encodeCaption over a batch (one tokenizer call per chunk)
            for (int[] ids : llm.encodeCaptions(clean.subList(from, Math.min(clean.size(), from + CHUNK)))) {
                out.add(Padding.widen(ids));
            }
        }
        return out;
    }

    /** Appends the clean non-blank lines of {@code file} to {@code out} until it holds {@code limit}. */
    private static void readLines(Path file, int limit, BlipCaptionCleaner cleaner, List<String> out)
            throws IOException {
        // Lines are split on bytes and decoded one by one, so a decoding error names its line.
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = new BufferedInputStream(Compression.decode(raw), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long lineNumber = 0;
            while (out.size() < limit) {
                int b = in.read();
                if (b >= 0 && b != '\n') {
                    line.write(b);
                    continue;
                }
                if (b < 0 && line.size() == 0) {
                    return;
                }
                lineNumber++;
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                String text;
                try {
                    text = utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
                } catch (CharacterCodingException e) {
                    throw new MalformedDataException(file.toString(), "line " + lineNumber
                            + " is not valid UTF-8; expected UTF-8 text with one sentence per line", e);
                }
                line.reset();
                String clean = cleaner.clean(text);
                if (!clean.isEmpty()) {
                    out.add(clean);
                }
                if (b < 0) {
                    return;
                }
            }
        }
    }
}
