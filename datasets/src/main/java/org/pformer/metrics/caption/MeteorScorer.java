package org.pformer.metrics.caption;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * METEOR 1.5 run as pycocoevalcap's {@code Meteor} runs it: {@code java -Xmx2G -jar meteor-1.5.jar - - -stdio
 * -l en -norm} in the jar's directory, one {@code SCORE ||| ref1 ||| ... ||| hypothesis} line per image answered
 * by a statistics line, then one {@code EVAL ||| stats1 ||| ...} line answered by one score per image and the
 * corpus score (METEOR's aggregate over all statistics, not the mean of the image scores). The process is started
 * once and reused; not thread-safe.
 */
final class MeteorScorer implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final Path stderr;

    private MeteorScorer(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static MeteorScorer start(Path jar, Path java) throws IOException {
        Path stderr = Files.createTempFile("pformer-meteor-", ".stderr");
        Path abs = jar.toAbsolutePath();
        List<String> command = List.of(java.toString(), "-Xmx2G", "-Dfile.encoding=UTF-8", "-jar", abs.toString(),
                "-", "-", "-stdio", "-l", "en", "-norm");
        return new MeteorScorer(ExternalProcess.start(command, abs.getParent(), stderr), stderr);
    }

    MetricScores score(List<String> predictions, List<List<String>> references) throws IOException {
        StringBuilder eval = new StringBuilder("EVAL");
        for (int i = 0; i < predictions.size(); i++) {
            // the reference wrapper cleans only the hypothesis; "|||" in a reference would break the protocol
            // there, so it is removed here too
            String hyp = predictions.get(i).replace("|||", "").replace("  ", " ");
            StringBuilder line = new StringBuilder("SCORE");
            for (String ref : references.get(i)) {
                line.append(" ||| ").append(ref.replace("|||", ""));
            }
            line.append(" ||| ").append(hyp);
            send(line);
            eval.append(" ||| ").append(receive().strip());
        }
        send(eval);
        double[] perImage = new double[predictions.size()];
        for (int i = 0; i < perImage.length; i++) {
            perImage[i] = parse(receive());
        }
        return new MetricScores(CaptionMetric.METEOR, parse(receive()), perImage);
    }

    private void send(CharSequence line) throws IOException {
        try {
            in.append(line).append('\n').flush();
        } catch (IOException e) {
            throw failure("could not write to METEOR (" + e.getMessage() + ")");
        }
    }

    private String receive() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw failure("METEOR ended unexpectedly");
        }
        return line;
    }

    private double parse(String line) throws IOException {
        try {
            return Double.parseDouble(line.strip());
        } catch (NumberFormatException e) {
            throw failure("METEOR answered '" + line + "' where a score was expected");
        }
    }

    private IOException failure(String what) {
        return new IOException(what + "; stderr: " + ExternalProcess.tail(stderr));
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the process is destroyed below either way
        }
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
