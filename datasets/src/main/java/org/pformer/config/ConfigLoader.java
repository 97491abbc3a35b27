package org.pformer.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path.Node;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.AssertTrue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Reads a pipeline YAML into a validated {@link PipelineConfig}, in this order, so that the error a user sees
 * is the most useful one: YAML syntax, unknown keys (all of them at once, with the allowed keys), types (the
 * key and the expected form), value ranges and cross-field rules (all at once), and finally, for local data
 * paths, that the files exist. Relative local paths are resolved against the configuration file's directory.
 */
public final class ConfigLoader {

    private static final String DEFAULTS = "/org/pformer/config/defaults.yaml";

    /** Keys whose values name local files or s3:// objects (JSON pointer patterns; '*' matches a list index). */
    private static final List<String> PATH_KEYS = List.of(
            "/data/sentences/*",
            "/data/pairs/*/annotations", "/data/pairs/*/images",
            "/data/vqav2/questions", "/data/vqav2/annotations", "/data/vqav2/images",
            "/data/okvqa/questions", "/data/okvqa/annotations", "/data/okvqa/images",
            "/data/gqa/annotations", "/data/gqa/images",
            "/data/nocaps/annotations", "/data/nocaps/images",
            "/data/coco_caption/annotations", "/data/coco_caption/images",
            "/data/retrieval/annotations", "/data/retrieval/images",
            "/models/vision/weights", "/models/llm/weights", "/models/llm/tokenizer",
            "/models/text_encoder/weights", "/models/text_encoder/tokenizer");

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final ObjectMapper BINDER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static final ValidatorFactory VALIDATION = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory();

    private ConfigLoader() {}

    /** Loads a configuration file; relative data paths are resolved against its directory and must exist. */
    public static PipelineConfig load(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("",
                    "no such file; expected a YAML pipeline configuration such as infra/config/world-default.yaml")));
        } catch (IOException e) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("", "cannot be read: " + e)));
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(decodeUtf8(bytes, source), source, base, true);
    }

    /**
     * Parses configuration text. With {@code checkLocalPaths}, local data paths (relative ones resolved
     * against {@code baseDir}) must exist; s3:// inputs are checked later by the pipeline's pre-flight.
     */
    public static PipelineConfig parse(String yaml, String source, Path baseDir, boolean checkLocalPaths) {
        JsonNode user = readTree(yaml, source);
        List<ConfigException.Problem> problems = new ArrayList<>();
        checkKeys(user, PipelineConfig.class, "", problems);
        throwIfAny(source, problems);

        ObjectNode merged = defaults();
        merge(merged, (ObjectNode) user);
        resolvePaths(merged, baseDir, checkLocalPaths, problems);
        throwIfAny(source, problems);

        PipelineConfig config = bind(merged, source);
        validate(config, problems);
        throwIfAny(source, problems);
        return config;
    }

    /** The effective configuration as YAML (defaults filled in, snake_case keys). */
    public static String toYaml(PipelineConfig config) {
        try {
            return BINDER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String decodeUtf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("",
                    "is not valid UTF-8 text; expected a UTF-8 encoded YAML file")));
        }
    }

    private static JsonNode readTree(String yaml, String source) {
        JsonNode node;
        try {
            node = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(source, List.of(new ConfigException.Problem("",
                    "invalid YAML" + where + ": " + e.getOriginalMessage())));
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("",
                    "is empty; expected a YAML mapping with at least a 'name' key")));
        }
        if (!node.isObject()) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("",
                    "expected a YAML mapping at the top level, found " + kind(node))));
        }
        return node;
    }

    private static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS);
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key must be a record component of the section it appears in; reports all unknown keys at once. */
    private static void checkKeys(JsonNode node, Class<?> type, String path, List<ConfigException.Problem> problems) {
        if (!type.isRecord() || node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            problems.add(new ConfigException.Problem(path, "expected a mapping with keys " + keysOf(type)
                    + ", found " + kind(node)));
            return;
        }
        Map<String, RecordComponent> components = new java.util.HashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            components.put(snake(c.getName()), c);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            RecordComponent c = components.get(field.getKey());
            if (c == null) {
                problems.add(new ConfigException.Problem(childPath, "unknown key; expected one of " + keysOf(type)));
                continue;
            }
            Type generic = c.getGenericType();
            if (c.getType().isRecord()) {
                checkKeys(field.getValue(), c.getType(), childPath, problems);
            } else if (List.class.isAssignableFrom(c.getType()) && generic instanceof ParameterizedType pt
                    && pt.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()
                    && field.getValue().isArray()) {
                for (int i = 0; i < field.getValue().size(); i++) {
                    checkKeys(field.getValue().get(i), element, childPath + "[" + i + "]", problems);
                }
            }
        }
    }

    private static void merge(ObjectNode target, ObjectNode overrides) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode overrideObject) {
                merge(existingObject, overrideObject);
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static void resolvePaths(ObjectNode root, Path baseDir, boolean mustExist,
                                     List<ConfigException.Problem> problems) {
        for (String pattern : PATH_KEYS) {
            resolvePaths(root, pattern.substring(1).split("/"), 0, "", baseDir, mustExist, problems);
        }
    }

    private static void resolvePaths(JsonNode node, String[] segments, int i, String path, Path baseDir,
                                     boolean mustExist, List<ConfigException.Problem> problems) {
        if (node == null || node.isNull()) {
            return;
        }
        String segment = segments[i];
        boolean last = i == segments.length - 1;
        if ("*".equals(segment)) {
            if (!(node instanceof ArrayNode array)) {
                return; // a type error, reported by binding
            }
            for (int k = 0; k < array.size(); k++) {
                String childPath = path + "[" + k + "]";
                if (last) {
                    JsonNode resolved = resolveOne(array.get(k), childPath, baseDir, mustExist, problems);
                    array.set(k, resolved);
                } else {
                    resolvePaths(array.get(k), segments, i + 1, childPath, baseDir, mustExist, problems);
                }
            }
            return;
        }
        if (!(node instanceof ObjectNode object) || !object.has(segment)) {
            return;
        }
        String childPath = path.isEmpty() ? segment : path + "." + segment;
        if (last) {
            object.set(segment, resolveOne(object.get(segment), childPath, baseDir, mustExist, problems));
        } else {
            resolvePaths(object.get(segment), segments, i + 1, childPath, baseDir, mustExist, problems);
        }
    }

    private static JsonNode resolveOne(JsonNode value, String path, Path baseDir, boolean mustExist,
                                       List<ConfigException.Problem> problems) {
        if (value == null || !value.isTextual()) {
            return value; // null stays null; a wrong type is reported by binding
        }
        String text = value.asText();
        if (text.isBlank()) {
            problems.add(new ConfigException.Problem(path, "is empty; expected a local path or an s3:// URI"));
            return value;
        }
        if (text.startsWith("s3://")) {
            return value;
        }
        if (text.contains("://") && !text.startsWith("file://")) {
            problems.add(new ConfigException.Problem(path, "unsupported URI '" + text
                    + "'; expected a local path, file:///absolute/path or s3://bucket/key"));
            return value;
        }
        Path p = text.startsWith("file://") ? Path.of(java.net.URI.create(text)) : Path.of(text);
        if (!p.isAbsolute() && baseDir != null) {
            p = baseDir.resolve(p);
        }
        p = p.normalize();
        if (mustExist && !Files.exists(p)) {
            problems.add(new ConfigException.Problem(path, "no such file or directory: " + p));
        }
        return TextNode.valueOf(p.toString());
    }

    private static PipelineConfig bind(JsonNode merged, String source) {
        try {
            return BINDER.treeToValue(merged, PipelineConfig.class);
        } catch (JsonMappingException e) {
            String path = jsonPath(e.getPath());
            String message;
            if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
                JsonNode found = at(merged, e.getPath());
                message = found == null || found.isMissingNode()
                        ? "missing; expected " + describe(m.getTargetType())
                        : "expected " + describe(m.getTargetType()) + ", found " + kind(found)
                                + (found.isValueNode() && !found.isNull() ? " " + found : "");
            } else {
                message = e.getOriginalMessage();
            }
            throw new ConfigException(source, List.of(new ConfigException.Problem(path, message)));
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of(new ConfigException.Problem("", e.getOriginalMessage())));
        }
    }

    private static void validate(PipelineConfig config, List<ConfigException.Problem> problems) {
        Validator validator = VALIDATION.getValidator();
        List<ConstraintViolation<PipelineConfig>> violations = new ArrayList<>(validator.validate(config));
        violations.sort(Comparator.comparing(v -> v.getPropertyPath().toString()));
        for (ConstraintViolation<PipelineConfig> v : violations) {
            boolean crossField = v.getConstraintDescriptor().getAnnotation() instanceof AssertTrue;
            List<Node> nodes = new ArrayList<>();
            v.getPropertyPath().forEach(nodes::add);
            if (crossField && !nodes.isEmpty()) {
                nodes.remove(nodes.size() - 1); // the rule is about the section, not about a key
            }
            StringBuilder path = new StringBuilder();
            for (Node n : nodes) {
                if (n.getName() != null && !n.getName().startsWith("<")) {
                    path.append(path.length() == 0 ? "" : ".").append(snake(n.getName()));
                }
                if (n.getIndex() != null) {
                    path.append('[').append(n.getIndex()).append(']');
                }
            }
            String found = crossField || v.getInvalidValue() == null ? "" : ", found " + v.getInvalidValue();
            problems.add(new ConfigException.Problem(path.toString(), v.getMessage() + found));
        }
    }

    private static void throwIfAny(String source, List<ConfigException.Problem> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
    }

    private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode node = root;
        for (JsonMappingException.Reference r : refs) {
            if (node == null) {
                return null;
            }
            node = r.getFieldName() != null ? node.get(r.getFieldName()) : node.get(r.getIndex());
        }
        return node;
    }

    private static String jsonPath(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord()) {
            return "a mapping with keys " + keysOf(type);
        }
        return "a " + type.getSimpleName();
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String keysOf(Class<?> recordType) {
        TreeSet<String> keys = new TreeSet<>();
        for (RecordComponent c : recordType.getRecordComponents()) {
            keys.add(snake(c.getName()));
        }
        return String.join(", ", keys);
    }

    /** camelCase Java name -> the YAML key (the same rule as Jackson's SNAKE_CASE strategy). */
    static String snake(String camel) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(camel);
    }
}
