package dev.weft.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Real command-line peers (curl, h2load, nghttpd, python3): found or the test fails in CI / is skipped locally. */
final class ExternalTool {
    private ExternalTool() {
    }

    static String require(String path, String debianPackage) {
        if (Files.isExecutable(Path.of(path))) {
            return path;
        }
        String why = path + " is missing (apt-get install " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
        return path;
    }

    /** What a finished command printed. */
    record Result(int exit, String stdout, String stderr) {
    }

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path err = Files.createTempFile("weft-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            assertThat(done).as("%s finished within %d s", command, timeoutSeconds).isTrue();
            return new Result(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
