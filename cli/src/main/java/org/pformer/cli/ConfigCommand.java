package org.pformer.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pformer.config.ConfigLoader;
import org.pformer.config.PipelineConfig;
import org.pformer.config.StageName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Check a pipeline configuration (`check`) or print it with every default filled in (`show`)."})
final class ConfigCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "check | show")
    String verb;

    @Parameters(index = "1", description = "configuration file")
    Path file;

    @Override
    public Integer call() {
        PipelineConfig c = ConfigLoader.load(file);
        switch (verb) {
            case "check" -> {
                System.out.println(file + ": valid (config hash " + c.configHash().substring(0, 12) + ")");
                TextTable t = new TextTable(List.of("stage", "section hash"));
                for (StageName s : StageName.values()) {
                    t.row(List.of(s.id(), c.stageConfigHash(s).substring(0, 12)));
                }
                System.out.print(t.render());
            }
            case "show" -> System.out.print(ConfigLoader.toYaml(c));
            default -> throw new UserError(ExitCodes.BAD_INPUT, "unknown verb '" + verb + "'; expected check or show");
        }
        return ExitCodes.OK;
    }
}
