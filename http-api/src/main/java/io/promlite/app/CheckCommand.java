package io.promlite.app;

import io.promlite.config.ConfigException;
import io.promlite.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code promlite check …}: offline checks in the manner of {@code promtool check}. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        description = "Check the resources for validity.",
        subcommands = CheckCommand.Config.class)
final class CheckCommand {
    /**
     * {@code promlite check config FILE…}: loads each file exactly as the server would. The output
     * follows {@code promtool check config} (Prometheus cmd/promtool/main.go), so scripts written
     * for promtool read it unchanged: results on standard output, failures on standard error.
     */
    @Command(name = "config", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
            description = "Check if the config files are valid or not. Exit 0 when all are, 1 otherwise.")
    static final class Config implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "The config files to check.")
        List<Path> files;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            boolean failed = false;
            for (Path file : files) {
                out.println("Checking " + file);
                out.flush();
                try {
                    ConfigLoader.load(file);
                    out.println(" SUCCESS: " + file + " is valid prometheus config file syntax");
                } catch (ConfigException e) {
                    err.println("  FAILED: " + e.getMessage());
                    err.flush();
                    failed = true;
                }
                out.println();
                out.flush();
            }
            return failed ? 1 : 0;
        }
    }
}
