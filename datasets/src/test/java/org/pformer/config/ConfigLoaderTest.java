package org.pformer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    static final Path REPO = Path.of(System.getProperty("pformer.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private static PipelineConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", Path.of("/"), true);
    }

    @Test
    void shippedConfigsLoad() {
        PipelineConfig demo = ConfigLoader.load(REPO.resolve("infra/config/world-default.yaml"));
        assertThat(demo.name()).isEqualTo("world-default");
        assertThat(demo.usesWorld()).isTrue();
        assertThat(demo.stage1().omega1()).isEqualTo(10.0);
        assertThat(demo.stage2().omega2()).isEqualTo(100.0);
        // values not written in the file come from the paper's defaults
        assertThat(demo.pformer().contrastive()).isEqualTo("simcse");
        assertThat(demo.eval().vqa().generation().lengthPenalty()).isEqualTo(-1.0);
        // the world's prompts, in the form its LLM read (pre_caption: lower case, no ':'), beside those defaults
        assertThat(demo.eval().vqa().generation().prompt()).isEqualTo("question {} short answer");
        assertThat(demo.eval().vqa().generation().numBeams()).isEqualTo(5);
        assertThat(demo.eval().caption().nocaps().prompt()).isEqualTo("a picture of");
        assertThat(demo.eval().caption().nocaps().minNewTokens()).isEqualTo(5);

        assertThat(ConfigLoader.load(REPO.resolve("infra/config/world-tiny.yaml")).world().size()).isEqualTo("tiny");
        // the real-data example names s3:// inputs only: loadable without touching the store
        PipelineConfig paper = ConfigLoader.load(REPO.resolve("infra/config/paper-opt2.7b.yaml"));
        assertThat(paper.data().pairs()).hasSize(4);
        assertThat(paper.runtime().precision()).isEqualTo("fp16");
        assertThat(paper.eval().vqa().generation().prompt()).isEqualTo("Question: {} Short answer:");
        assertThat(paper.eval().caption().nocaps().prompt()).isEqualTo("a photo of");
    }

    @Test
    void minimalConfigTakesThePaperDefaults() {
        PipelineConfig c = parse("name: minimal\n");
        assertThat(c.pformer().train().batchSize()).isEqualTo(384);
        assertThat(c.pformer().train().warmupSteps()).isEqualTo(2000);
        assertThat(c.stage1().train().warmupSteps()).isEqualTo(5000);
        assertThat(c.models().qformer().numQuery()).isEqualTo(32);
        assertThat(c.eval().caption().nocaps().numBeams()).isEqualTo(3);
        assertThat(c.eval().retrieval().kTest()).isEqualTo(128);
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of("name: [unclosed\n", "invalid YAML at line"),
                Arguments.of("", "is empty; expected a YAML mapping"),
                Arguments.of("- a\n- b\n", "expected a YAML mapping at the top level, found a list"),
                Arguments.of("name: x\nname: y\n", "invalid YAML"),
                Arguments.of("name: x\nstage1:\n  omega_1: 3\n",
                        "stage1.omega_1: unknown key; expected one of omega1, pformer_dropout_in_targets, target_cache, train"),
                Arguments.of("name: x\nbogus: 1\n", "bogus: unknown key; expected one of data, eval, foundation"),
                Arguments.of("name: x\nstage1: {omega1: -1}\n",
                        "stage1.omega1: expected a number >= 0 (omega1 weighs the alignment loss), found -1.0"),
                Arguments.of("name: x\nstage2: {omega2: -0.5}\n",
                        "stage2.omega2: expected a number >= 0 (omega2 weighs the alignment loss), found -0.5"),
                Arguments.of("name: x\nstage1: {omega1: ten}\n", "stage1.omega1: expected a number, found a string \"ten\""),
                Arguments.of("name: x\nstage1: {omega1: \"10\"}\n", "stage1.omega1: expected a number, found a string \"10\""),
                Arguments.of("name: x\npformer: {train: {batch_size: 1.5}}\n",
                        "pformer.train.batch_size: expected an integer, found a number 1.5"),
                Arguments.of("name: x\npformer: {train: {batch_size: 0}}\n",
                        "pformer.train.batch_size: expected an integer >= 1, found 0"),
                Arguments.of("name: x\npformer: {contrastive: infonce}\n",
                        "pformer.contrastive: expected 'simcse' or 'self', found infonce"),
                Arguments.of("name: x\npformer: {mask_prob: 1.0}\n", "pformer.mask_prob: expected a number in [0, 1), found 1.0"),
                Arguments.of("name: x\npformer: {train: {min_lr: 1.0, init_lr: 0.1}}\n", "pformer.train: expected min_lr <= init_lr"),
                Arguments.of("name: x\nstage1: {train: {epochs: 0, max_steps: 0}}\n",
                        "stage1.train: expected epochs > 0 or max_steps > 0"),
                Arguments.of("name: x\nstage1: 5\n", "stage1: expected a mapping with keys omega1, pformer_dropout_in_targets"),
                Arguments.of("name: x\ningest: {min_words: 9, max_words: 3}\n", "ingest: min_words must not exceed max_words"),
                Arguments.of("name: x\ndata: {source: files}\n",
                        "data: with source: files, 'sentences' and 'pairs' must each name at least one input"),
                Arguments.of("name: x\ndata: {source: disk}\n", "data.source: expected 'world' or 'files', found disk"),
                Arguments.of("name: x\ndata: {sentences: /definitely/missing.txt}\n", "data.sentences: expected a list"),
                Arguments.of("name: x\ndata: {source: files, sentences: [/definitely/missing.txt], pairs: [{annotations: s3://b/a.json, images: s3://b/i/}]}\n",
                        "data.sentences[0]: no such file or directory: /definitely/missing.txt"),
                Arguments.of("name: x\ndata: {pairs: [{annotations: s3://b/a.json, imgs: s3://b/i/}]}\n",
                        "data.pairs[0].imgs: unknown key; expected one of annotations, images"),
                Arguments.of("name: x\ndata: {sentences: [\"http://example.org/x.txt\"]}\n",
                        "data.sentences[0]: unsupported URI 'http://example.org/x.txt'"),
                Arguments.of("name: x\nstore: {uri: /tmp/store}\n",
                        "store.uri: expected s3://bucket[/prefix] or file:///absolute/dir, found /tmp/store"),
                Arguments.of("name: \"bad name!\"\n", "name: expected a name of letters, digits"),
                Arguments.of("name: x\nruntime: {precision: fp8}\n", "runtime.precision: expected 'fp32', 'fp16' or 'bf16', found fp8"),
                Arguments.of("name: x\neval: {vqa: {generation: {min_new_tokens: 20, max_new_tokens: 10}}}\n",
                        "eval.vqa.generation: expected min_new_tokens <= max_new_tokens"),
                Arguments.of("name: x\nworld: {size: huge}\n", "world.size: expected 'tiny', 'default' or 'large', found huge"),
                Arguments.of("name: x\nstage1: {target_cache: maybe}\n", "stage1.target_cache: expected true or false"),
                Arguments.of("name: x\ndata: {vqav2: {questions: s3://b/q.json, images: s3://b/i/}}\n",
                        "data.vqav2.annotations: missing; expected a local path or an s3:// URI"),
                Arguments.of("name: x\nstage1:\n", "stage1: missing; expected a value"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidConfigs")
    void invalidConfigsNameTheKeyAndTheExpectedForm(String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid pipeline configuration test.yaml")
                .hasMessageContaining(expected);
    }

    @Test
    void allUnknownKeysAndAllRangeProblemsAreReportedAtOnce() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> parse("name: x\nstage1: {omega1: -1}\nstage2: {omega2: -2}\n"));
        assertThat(e.problems()).extracting(ConfigException.Problem::path).containsExactly("stage1.omega1", "stage2.omega2");

        ConfigException unknown = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> parse("name: x\nfoo: 1\nstage1: {bar: 2}\n"));
        assertThat(unknown.problems()).extracting(ConfigException.Problem::path).containsExactly("foo", "stage1.bar");
    }

    @Test
    void missingFileAndNonUtf8FileNameTheFile() throws IOException {
        Path missing = tmp.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
        Path latin1 = tmp.resolve("latin1.yaml");
        Files.write(latin1, "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(latin1))
                .hasMessageContaining(latin1.toString()).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void relativeDataPathsResolveAgainstTheConfigFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cfg"));
        Files.writeString(dir.resolve("sentences.txt"), "a red circle\n");
        Files.writeString(dir.resolve("p.yaml"), "name: rel\ndata:\n  source: files\n  sentences: [sentences.txt]\n"
                + "  pairs: [{annotations: s3://b/a.json, images: s3://b/img/}]\n");
        PipelineConfig c = ConfigLoader.load(dir.resolve("p.yaml"));
        assertThat(c.data().sentences()).containsExactly(dir.resolve("sentences.txt").toString());
        assertThat(c.data().pairs().get(0).images()).isEqualTo("s3://b/img/");
    }

    @Test
    void stageHashIsCanonicalAndOnlyMovesWithTheStagesOwnInputs() {
        PipelineConfig base = parse("name: x\n");
        PipelineConfig spelledOut = parse("stage1: {omega1: 10.0, train: {init_lr: 0.0001}}\nname: x\n");
        PipelineConfig otherOmega1 = parse("name: x\nstage1: {omega1: 0}\n");
        PipelineConfig otherOmega2 = parse("name: x\nstage2: {omega2: 0}\n");
        PipelineConfig otherDevice = parse("name: x\nruntime: {device: gpu, threads: 8}\n");

        for (StageName s : StageName.values()) {
            assertThat(spelledOut.stageConfigHash(s)).as("default written out, %s", s).isEqualTo(base.stageConfigHash(s));
            assertThat(otherDevice.stageConfigHash(s)).as("device is not a result input, %s", s)
                    .isEqualTo(base.stageConfigHash(s));
        }
        assertThat(base.stageConfigHash(StageName.STAGE1)).hasSize(64).isNotEqualTo(otherOmega1.stageConfigHash(StageName.STAGE1));
        assertThat(otherOmega1.stageConfigHash(StageName.PFORMER)).isEqualTo(base.stageConfigHash(StageName.PFORMER));
        assertThat(otherOmega2.stageConfigHash(StageName.STAGE1)).isEqualTo(base.stageConfigHash(StageName.STAGE1));
        assertThat(otherOmega2.stageConfigHash(StageName.STAGE2)).isNotEqualTo(base.stageConfigHash(StageName.STAGE2));
        assertThat(base.stageConfigHash(StageName.STAGE1)).isNotEqualTo(base.stageConfigHash(StageName.STAGE2));
        assertThat(base.configHash()).isNotEqualTo(otherOmega1.configHash());
    }

    @Test
    void effectiveConfigRoundTripsThroughYaml() {
        PipelineConfig c = ConfigLoader.load(REPO.resolve("infra/config/world-default.yaml"));
        PipelineConfig again = ConfigLoader.parse(ConfigLoader.toYaml(c), "effective", Path.of("/"), false);
        assertThat(again).isEqualTo(c);
        assertThat(again.configHash()).isEqualTo(c.configHash());
    }
}
