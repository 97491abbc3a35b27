package org.pformer.datasets.tokenize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The frozen LLM's tokenizer (OPT: GPT-2 byte-level BPE whose BOS is {@code </s>}). The LLM sequence of a
 * caption is {@code BOS + tokens(caption + "\n")} truncated to {@code maxLength} ids (METHOD.md Stage 0: the
 * caption fed to the LLM is the clean caption with "\n" appended; the BOS is part of the target), which is what
 * the reference code's {@code opt_tokenizer(text, truncation=True, max_length=32)} yields. The BOS is added here
 * rather than by the file's post-processor, so tokenizer.json files with and without a BOS template behave alike.
 * {@code "\n"} is also the end marker of generation (LAVIS's OPT models stop on it).
 */
public final class LlmTokenizer implements AutoCloseable {

    /** The end marker appended to every caption. */
    public static final String END = "\n";

    private final HfTokenizer tokenizer;
    private final int maxLength;
    private final int bos;
    private final int pad;
    private final int newline;

    private LlmTokenizer(HfTokenizer tokenizer, int maxLength, String bosToken, String padToken) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.bos = tokenizer.requireId(bosToken);
        this.pad = tokenizer.requireId(padToken);
        int[] nl = tokenizer.encode(END, false);
        if (nl.length != 1) {
            throw new IllegalArgumentException(tokenizer.file() + ": \"\\n\" must be a single token (it is the end "
                    + "marker of captions and of generation), got " + nl.length + " ids");
        }
        this.newline = nl[0];
    }

    /** Loads an OPT-style tokenizer.json ({@code </s>} BOS, {@code <pad>} padding). */
    public static LlmTokenizer load(Path tokenizerJson, int maxLength) throws IOException {
        return load(tokenizerJson, maxLength, ByteLevelBpeBuilder.BOS, "<pad>");
    }

    /**
     * Loads a tokenizer.json with the given BOS and padding tokens.
     *
     * @param maxLength truncate caption sequences to this many ids (BOS included); 0 disables truncation
     */
    public static LlmTokenizer load(Path tokenizerJson, int maxLength, String bosToken, String padToken)
            throws IOException {
        if (maxLength == 1 || maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be 0 (no truncation) or >= 2, got " + maxLength);
        }
        HfTokenizer t = HfTokenizer.load(tokenizerJson, 0);
        try {
            return new LlmTokenizer(t, maxLength, bosToken, padToken);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** {@code BOS + tokens(caption + "\n")}, truncated. */
    public int[] encodeCaption(String cleanCaption) {
        return withBos(tokenizer.encode(cleanCaption + END, false));
    }

    public int[][] encodeCaptions(List<String> cleanCaptions) {
        return encodeCaptions(cleanCaptions, null);
    }

    /** As {@link #encodeCaptions(List)}; {@code truncated[i]} tells whether caption i was cut. */
    public int[][] encodeCaptions(List<String> cleanCaptions, boolean[] truncated) {
        List<String> ended = new ArrayList<>(cleanCaptions.size());
        for (String c : cleanCaptions) {
            ended.add(c + END);
        }
        int[][] ids = tokenizer.encodeBatch(ended, false);
        for (int i = 0; i < ids.length; i++) {
            if (truncated != null) {
                truncated[i] = maxLength > 0 && ids[i].length > maxLength - 1;
            }
            ids[i] = withBos(ids[i]);
        }
        return ids;
    }

    /** Ids of arbitrary text (a prompt such as "Question: … Short answer:"), with or without the BOS, untruncated. */
    public int[] encode(String text, boolean addBos) {
        int[] ids = tokenizer.encode(text, false);
        if (!addBos) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private int[] withBos(int[] content) {
        int n = maxLength > 0 ? Math.min(content.length, maxLength - 1) : content.length;
        int[] out = new int[n + 1];
        out[0] = bos;
        System.arraycopy(content, 0, out, 1, n);
        return out;
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    public int bosId() {
        return bos;
    }

    public int padId() {
        return pad;
    }

    /** The id of "\n", the end marker of captions and of generation. */
    public int newlineId() {
        return newline;
    }

    public int vocabSize() {
        return tokenizer.table().size();
    }

    public int maxLength() {
        return maxLength;
    }

    public String sha256() {
        return tokenizer.sha256();
    }

    public HfTokenizer hf() {
        return tokenizer;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
