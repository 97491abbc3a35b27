package org.pformer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "services", mixinStandardHelpOptions = true,
        description = {"Install (once), start, stop or check the local services on 127.0.0.1: the Temporal dev server "
                + "(SQLite, durable across restarts), the MLflow tracking server and the S3-compatible store.",
                "Verbs: up, down, status, restart; optionally one of temporal, mlflow, s3."})
final class ServicesCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "up | down | status | restart")
    String verb;

    @Parameters(index = "1", arity = "0..1", description = "temporal | mlflow | s3 (default: all)")
    String service;

    @Override
    public Integer call() throws Exception {
        if (!List.of("up", "down", "status", "restart").contains(verb)) {
            throw new UserError(ExitCodes.BAD_INPUT, "unknown verb '" + verb + "'; expected up, down, status or restart");
        }
        if (service != null && !List.of("temporal", "mlflow", "s3", "all").contains(service)) {
            throw new UserError(ExitCodes.BAD_INPUT, "unknown service '" + service + "'; expected temporal, mlflow or s3");
        }
        Path script = ServiceEnv.fromEnvironment().home().resolve("infra/local/services.sh");
        if (!Files.isRegularFile(script)) {
            throw new UserError(ExitCodes.BAD_INPUT, "cannot find " + script + "; run pformer from the project checkout "
                    + "(bin/pformer sets -Dpformer.home)");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), verb));
        if (service != null) {
            cmd.add(service);
        }
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        return rc == 0 ? ExitCodes.OK : ExitCodes.SERVICE_UNAVAILABLE;
    }
}
