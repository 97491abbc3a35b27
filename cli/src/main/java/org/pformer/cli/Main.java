package org.pformer.cli;

import org.pformer.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pformer} command. */
@Command(name = "pformer", mixinStandardHelpOptions = true, version = "pformer 0.1.0",
        description = {"Train and evaluate BLIP-2 with P-Former alignment (arXiv 2307.07063) as durable Temporal workflows.",
                "", "Typical use:",
                "  pformer services up                               start Temporal, MLflow and S3 on 127.0.0.1",
                "  pformer worker --queues pipeline,cpu,gpu &        start a worker",
                "  pformer run --config infra/config/world-default.yaml --wait",
                "  pformer ablate --config infra/config/world-default.yaml --omega1 0,10 --omega2 0,100",
                "  pformer compare --experiment world-default", ""},
        subcommands = {RunCommand.class, AblateCommand.class, StatusCommand.class, PauseCommand.class,
                ResumeCommand.class, CancelCommand.class, CompareCommand.class, WorkerCommand.class,
                ServicesCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the pipeline failed or was cancelled",
                "2:bad input (configuration, run id, options)", "3:a service cannot be reached"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code; user errors print one clear message, no stack trace. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError u) {
                cmd.getErr().println("error: " + u.getMessage());
                return u.exitCode;
            }
            if (e instanceof ConfigException c) {
                cmd.getErr().println("error: " + c.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            throw e;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return ExitCodes.BAD_INPUT;
        });
        return cl.execute(args);
    }
}
