package org.pformer.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A pipeline configuration that cannot be used. The message names the file, then one line per problem with
 * the offending key (YAML path, snake_case) and the expected form; nothing has been started when it is thrown.
 */
public final class ConfigException extends RuntimeException {

    /** One problem: the YAML path of the key ({@code stage1.omega1}, {@code data.pairs[0].images}) and what is wrong. */
    public record Problem(String path, String message) {
        @Override
        public String toString() {
            return path.isEmpty() ? message : path + ": " + message;
        }
    }

    private final String source;
    private final List<Problem> problems;

    public ConfigException(String source, List<Problem> problems) {
        super(format(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String format(String source, List<Problem> problems) {
        String head = "invalid pipeline configuration " + source;
        if (problems.size() == 1) {
            return head + ": " + problems.get(0);
        }
        return head + " (" + problems.size() + " problems):"
                + problems.stream().map(p -> "\n  - " + p).collect(Collectors.joining());
    }
}
