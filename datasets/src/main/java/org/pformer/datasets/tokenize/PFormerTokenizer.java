package org.pformer.datasets.tokenize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The BERT WordPiece tokenizer of the P-Former's and the Q-Former's text encoder: {@code [CLS] … [SEP]},
 * truncated to {@code L_txt} ids (32 for P-Former / Q-Former text, 35 for retrieval; METHOD.md). Also exposes
 * BLIP-2's {@code [DEC]} token: taken from the file when present (the world tokenizer has it), otherwise the id
 * just after the vocabulary, which is where LAVIS's {@code add_special_tokens({"bos_token": "[DEC]"})} puts it on
 * bert-base-uncased.
 */
public final class PFormerTokenizer implements AutoCloseable {

    /** L_txt of the P-Former and of the Q-Former's ITC/ITM/ITG text (METHOD.md). */
    public static final int MAX_TEXT_TOKENS = 32;
    /** Text length of the retrieval evaluation (METHOD.md). */
    public static final int RETRIEVAL_TEXT_TOKENS = 35;

    private final HfTokenizer tokenizer;
    private final int pad;
    private final int unk;
    private final int cls;
    private final int sep;
    private final int mask;
    private final int dec;
    private final int vocabSize;

    private PFormerTokenizer(HfTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.pad = tokenizer.requireId("[PAD]");
        this.unk = tokenizer.requireId("[UNK]");
        this.cls = tokenizer.requireId("[CLS]");
        this.sep = tokenizer.requireId("[SEP]");
        this.mask = tokenizer.requireId("[MASK]");
        int fileDec = tokenizer.table().id(WordPieceTokenizerBuilder.DEC);
        this.dec = fileDec >= 0 ? fileDec : tokenizer.table().size();
        this.vocabSize = Math.max(tokenizer.table().size(), dec + 1);
    }

    /** Loads a WordPiece tokenizer.json, truncating to {@code maxLength} ids ({@link #MAX_TEXT_TOKENS} usually). */
    public static PFormerTokenizer load(Path tokenizerJson, int maxLength) throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must leave room for [CLS] and [SEP], got " + maxLength);
        }
        HfTokenizer t = HfTokenizer.load(tokenizerJson, maxLength);
        try {
            return new PFormerTokenizer(t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** {@code [CLS] text [SEP]}, truncated to {@link #maxLength()}. */
    public int[] encode(String text) {
        return tokenizer.encode(text, true);
    }

    public int[][] encodeBatch(List<String> texts) {
        return tokenizer.encodeBatch(texts, true);
    }

    /** As {@link #encodeBatch(List)}; {@code truncated[i]} tells whether text i was cut to the maximum length. */
    public int[][] encodeBatch(List<String> texts, boolean[] truncated) {
        return tokenizer.encodeBatch(texts, true, truncated);
    }

    /** The text of the ids, special tokens removed. */
    public String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    public int maxLength() {
        return tokenizer.maxLength();
    }

    public int padId() {
        return pad;
    }

    public int unkId() {
        return unk;
    }

    public int clsId() {
        return cls;
    }

    public int sepId() {
        return sep;
    }

    public int maskId() {
        return mask;
    }

    /** BLIP-2's {@code [DEC]} (replaces {@code [CLS]} for ITG and captioning). */
    public int decId() {
        return dec;
    }

    /** Number of ids including {@code [DEC]}: the size of the Q-Former's word-embedding table. */
    public int vocabSize() {
        return vocabSize;
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
