package dev.weft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Weft service mesh: control plane, discovery and operator commands.",
        subcommands = {
            ControlPlaneCommand.class,
            DemoCommand.class,
            ProxyCommand.class,
            ServicesCommand.class,
            InstancesCommand.class,
            RegisterCommand.class,
            DeregisterCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code; tests call this in process. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException) {
                cmd.getErr().println("weft: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"weft " + (v == null ? "dev" : v)};
        }
    }
}
