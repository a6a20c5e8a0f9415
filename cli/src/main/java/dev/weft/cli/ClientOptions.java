package dev.weft.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by every command that talks to a running control plane. */
final class ClientOptions {
    @Option(names = "--control-plane", paramLabel = "URL", defaultValue = "${env:WEFT_CONTROL_PLANE:-http://127.0.0.1:15010}",
            description = "Control plane URL (env WEFT_CONTROL_PLANE; default: ${DEFAULT-VALUE}).")
    URI controlPlane;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where to find the admin token when WEFT_TOKEN is not set (default: ${DEFAULT-VALUE}).",
            defaultValue = "${env:WEFT_DATA_DIR:-${sys:user.home}/.weft/control-plane}")
    Path dataDir;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: table or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    enum OutputFormat { table, json }

    /** The token from WEFT_TOKEN, else from the data dir; null when neither exists (reads need none). */
    String token() {
        String env = System.getenv("WEFT_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = dataDir.resolve("admin-token");
        if (Files.isReadable(file)) {
            try {
                return Files.readString(file).trim();
            } catch (IOException e) {
                throw new CliException("cannot read the admin token from " + file + ": " + e.getMessage());
            }
        }
        return null;
    }

    ApiClient client() {
        return new ApiClient(controlPlane, token());
    }
}
