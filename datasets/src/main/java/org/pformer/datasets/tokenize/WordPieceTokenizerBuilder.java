package org.pformer.datasets.tokenize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds a BERT-style (uncased) WordPiece {@code tokenizer.json} for a closed-vocabulary corpus such as the shipped
 * world: BertNormalizer (lower-case), BertPreTokenizer, WordPiece with {@code ##} continuations and the
 * {@code [CLS] $A [SEP]} post-processor, with the BERT special tokens {@code [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3
 * [MASK]=4} and BLIP-2's extra {@code [DEC]} token added after the vocabulary (as LAVIS adds it to
 * bert-base-uncased, so the real-model path and the world path look the same).
 *
 * <p>Vocabulary: the specials, every character of the corpus (plus a–z and 0–9) alone and as a {@code ##}
 * continuation — so no lower-case ASCII word is ever {@code [UNK]} — then every corpus word seen at least
 * {@code minFrequency} times, most frequent first (ties in code-point order). Deterministic for a given corpus.
 */
public final class WordPieceTokenizerBuilder {

    public static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    public static final String DEC = "[DEC]";

    private final Map<String, Long> wordCounts = new HashMap<>();
    private final TreeSet<Character> alphabet = new TreeSet<>();
    private final int minFrequency;

    public WordPieceTokenizerBuilder(int minFrequency) {
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minFrequency must be >= 1");
        }
        this.minFrequency = minFrequency;
        for (char c = 'a'; c <= 'z'; c++) {
            alphabet.add(c);
        }
        for (char c = '0'; c <= '9'; c++) {
            alphabet.add(c);
        }
    }

    /** Counts the words of one sentence, split as BertPreTokenizer splits (whitespace, then each punctuation). */
    public void add(String sentence) {
        String lower = sentence.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            char c = i < lower.length() ? lower.charAt(i) : ' ';
            boolean space = Character.isWhitespace(c) || Character.isSpaceChar(c);
            boolean punct = !space && isBertPunctuation(c);
            if (space || punct) {
                if (start >= 0) {
                    count(lower.substring(start, i));
                    start = -1;
                }
                if (punct) {
                    count(String.valueOf(c));
                }
            } else if (start < 0) {
                start = i;
            }
        }
    }

    private void count(String word) {
        wordCounts.merge(word, 1L, Long::sum);
        for (int i = 0; i < word.length(); i++) {
            alphabet.add(word.charAt(i));
        }
    }

    /** BERT's punctuation: the ASCII symbol ranges and every Unicode P* category. */
    static boolean isBertPunctuation(char c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** The vocabulary, in id order. */
    public List<String> vocabulary() {
        LinkedHashMap<String, Integer> vocab = new LinkedHashMap<>();
        SPECIALS.forEach(s -> vocab.put(s, vocab.size()));
        for (char c : alphabet) {
            vocab.putIfAbsent(String.valueOf(c), vocab.size());
        }
        for (char c : alphabet) {
            if (!isBertPunctuation(c)) {
                vocab.putIfAbsent("##" + c, vocab.size());
            }
        }
        List<Map.Entry<String, Long>> words = new ArrayList<>(wordCounts.entrySet());
        words.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<String, Long> w : words) {
            if (w.getValue() >= minFrequency && w.getKey().length() <= 100) {
                vocab.putIfAbsent(w.getKey(), vocab.size());
            }
        }
        return List.copyOf(vocab.keySet());
    }

    /** Writes the tokenizer.json and returns its vocabulary size including {@code [DEC]}. */
    public int write(Path file) throws IOException {
        List<String> vocabulary = vocabulary();
        ObjectNode root = TokenizerJson.F.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        var added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.add(TokenizerJson.addedToken(i, SPECIALS.get(i)));
        }
        added.add(TokenizerJson.addedToken(vocabulary.size(), DEC));
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.putNull("strip_accents");
        normalizer.put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        specialIds.put("[CLS]", SPECIALS.indexOf("[CLS]"));
        specialIds.put("[SEP]", SPECIALS.indexOf("[SEP]"));
        root.set("post_processor", TokenizerJson.template(List.of("[CLS]"), List.of("[SEP]"), specialIds));
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < vocabulary.size(); i++) {
            vocab.put(vocabulary.get(i), i);
        }
        TokenizerJson.write(file, root);
        return vocabulary.size() + 1;
    }
}
