package org.pformer.datasets.tokenize;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a GPT-2 style byte-level BPE on a corpus and writes an OPT-style {@code tokenizer.json}: specials
 * {@code <s>=0 <pad>=1 </s>=2 <unk>=3} as in OPT (whose BOS is {@code </s>}), the 256 byte symbols, then one token
 * per learned merge; ByteLevel pre-tokenizer (GPT-2 regex, no prefix space) and decoder, and a post-processor that
 * puts {@code </s>} first. Every string encodes without unknowns (newline included, as the byte symbol
 * {@code Ċ}) and decodes back to itself.
 *
 * <p>Training: the standard greedy procedure — repeatedly merge the most frequent adjacent symbol pair of the
 * pre-tokenised words (ties: smallest pair in code-point order) until the vocabulary reaches {@code vocabSize}
 * or no pair occurs {@code minFrequency} times. Deterministic for a given corpus.
 */
public final class ByteLevelBpeBuilder {

    public static final List<String> SPECIALS = List.of("<s>", "<pad>", "</s>", "<unk>");
    public static final String BOS = "</s>";

    /** GPT-2's pre-tokenisation pattern (HF ByteLevel with use_regex). */
    static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = byteToUnicode();

    private final Map<String, Long> wordCounts = new HashMap<>();
    private final int vocabSize;
    private final int minFrequency;

    public ByteLevelBpeBuilder(int vocabSize, int minFrequency) {
        if (vocabSize < SPECIALS.size() + 256) {
            throw new IllegalArgumentException("vocabSize must be >= " + (SPECIALS.size() + 256));
        }
        this.vocabSize = vocabSize;
        this.minFrequency = Math.max(1, minFrequency);
    }

    /**
     * GPT-2's reversible byte ↦ printable-character table: printable Latin-1 bytes map to themselves, the others to
     * U+0100 onwards in byte order.
     */
    static char[] byteToUnicode() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }

    /** Counts the pre-tokenised words of one text. */
    public void add(String text) {
        Matcher m = GPT2_SPLIT.matcher(text);
        while (m.find()) {
            byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder(bytes.length);
            for (byte b : bytes) {
                sb.append(BYTE_TO_CHAR[b & 0xff]);
            }
            wordCounts.merge(sb.toString(), 1L, Long::sum);
        }
    }

    /** The learned merges, in rank order. */
    public List<String[]> merges() {
        List<List<String>> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<String> symbols = new ArrayList<>();
            e.getKey().codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            words.add(symbols);
            counts.add(e.getValue());
        });
        List<String[]> merges = new ArrayList<>();
        int budget = vocabSize - SPECIALS.size() - 256;
        while (merges.size() < budget) {
            Map<String, Long> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairCounts.merge(s.get(i) + '\u0000' + s.get(i + 1), counts.get(w), Long::sum);
                }
            }
            String best = null;
            long bestCount = 0;
            for (Map.Entry<String, Long> e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null || bestCount < minFrequency) {
                break;
            }
            int cut = best.indexOf('\u0000');
            String left = best.substring(0, cut);
            String right = best.substring(cut + 1);
            merges.add(new String[] {left, right});
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                        s.set(i, left + right);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }

    /** Trains and writes the tokenizer.json; returns the vocabulary size. */
    public int write(Path file) throws IOException {
        List<String[]> merges = merges();
        LinkedHashMap<String, Integer> vocab = new LinkedHashMap<>();
        SPECIALS.forEach(s -> vocab.put(s, vocab.size()));
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(BYTE_TO_CHAR[b]), vocab.size());
        }
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        ObjectNode root = TokenizerJson.F.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.add(TokenizerJson.addedToken(i, SPECIALS.get(i)));
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        Map<String, Integer> specialIds = Map.of(BOS, SPECIALS.indexOf(BOS));
        root.set("post_processor", TokenizerJson.template(List.of(BOS), List.of(), specialIds));
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(pair -> m.add(pair[0] + " " + pair[1]));
        TokenizerJson.write(file, root);
        return vocab.size();
    }
}
