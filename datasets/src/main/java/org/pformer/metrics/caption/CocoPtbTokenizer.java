package org.pformer.metrics.caption;

import edu.stanford.nlp.ling.CoreLabel;
import edu.stanford.nlp.process.CoreLabelTokenFactory;
import edu.stanford.nlp.process.PTBTokenizer;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pformer.metrics.PythonText;

/**
 * The COCO caption evaluator's tokenisation (pycocoevalcap {@code PTBTokenizer}): Stanford CoreNLP 3.4.1's
 * PTBTokenizer as {@code -preserveLines -lowerCase} runs it (options {@code ",tokenizeNLs"}, each token lower-cased
 * with {@link Locale#ENGLISH}, tokens joined by one space), then Python's
 * {@code ' '.join(w for w in line.rstrip().split(' ') if w not in PUNCTUATIONS)}.
 *
 * <p>Quirks kept on purpose: bracket tokens are lower-cased before the punctuation filter, so {@code -lrb-} and
 * friends stay in the text; characters the 3.4.1 lexer cannot tokenise (e.g. emoji) are dropped, as the reference
 * drops them. One deliberate difference: the reference joins all captions into one file and splits the output on
 * newlines, so a caption holding a line break other than {@code \n} (CR, U+2028, U+0085, ...) shifts every later
 * caption onto the wrong image there; here each caption is tokenised on its own and such breaks act as spaces.
 */
public final class CocoPtbTokenizer {
    /** pycocoevalcap's {@code PUNCTUATIONS}. */
    static final Set<String> PUNCTUATIONS = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
            ".", "?", "!", ",", ":", "-", "--", "...", ";");

    private static final String NEWLINE_TOKEN = "*NL*";
    /* "noneDelete" deletes untokenisable characters as the reference's default "firstDelete" does, minus its
     * once-per-lexer warning (which would fire once per caption here). */
    private static final String OPTIONS = ",tokenizeNLs,untokenizable=noneDelete";

    /** Tokenises one caption; the result's tokens are separated by single spaces. */
    public String tokenize(String caption) {
        StringBuilder line = new StringBuilder(caption.length() + 16);
        PTBTokenizer<CoreLabel> lexer =
                new PTBTokenizer<>(new StringReader(caption), new CoreLabelTokenFactory(), OPTIONS);
        while (lexer.hasNext()) {
            String word = lexer.next().word();
            if (NEWLINE_TOKEN.equals(word)) {
                continue;
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word.toLowerCase(Locale.ENGLISH));
        }
        List<String> kept = new ArrayList<>();
        for (String w : PythonText.split(PythonText.rstrip(line.toString()), ' ')) {
            if (!PUNCTUATIONS.contains(w)) {
                kept.add(w);
            }
        }
        return String.join(" ", kept);
    }
}
