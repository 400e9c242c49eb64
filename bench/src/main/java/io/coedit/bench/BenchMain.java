package io.coedit.bench;

import io.coedit.bench.jmh.JmhCommand;
import io.coedit.bench.load.LoadCommand;
import io.coedit.bench.stdio.OtStdioCommand;
import io.coedit.bench.trace.TraceCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * Entry point of {@code coedit-bench.jar}: a command line with one subcommand per tool.
 * Exit codes: 0 success, 1 the tool ran and failed (a trace that does not replay to its
 * end content, an unreadable file), 2 bad usage.
 */
@Command(name = "coedit-bench",
        description = "Benchmarks, the load generator and conformance tools for coedit.",
        subcommands = {OtStdioCommand.class, TraceCommand.class, JmhCommand.class, LoadCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the tool ran and failed", "2:bad usage"})
public final class BenchMain implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new BenchMain());
        // "@file" arguments are ours to pass on (a JMH regexp, a trace path), not picocli's to expand.
        commandLine.setExpandAtFiles(false);
        // Everything after "jmh" belongs to JMH, whose options picocli does not know.
        commandLine.getSubcommands().get(JmhCommand.NAME).setUnmatchedOptionsArePositionalParams(true);
        return commandLine;
    }

    /** Without a subcommand there is nothing to do: show what there is, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
