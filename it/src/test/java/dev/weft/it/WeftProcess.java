package dev.weft.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A `weft` command running in its own JVM, as a user would start it, with its output captured
 * to files. The classpath is the test's own, which holds the built CLI and its dependencies.
 */
final class WeftProcess implements AutoCloseable {
    private static final Pattern READY =
            Pattern.compile("control plane ready http=http://([^ ]+):(\\d+) dns=([^ ]+):(\\d+)(?: \\(udp,tcp\\) xds=([^ ]+):(\\d+))?");

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private int httpPort;
    private int dnsPort;
    private int xdsPort;
    private static final Pattern SIDECAR_READY = Pattern.compile(
            "sidecar ready service=\\S+ instance=(\\S+) outbound=[^ ]+:(\\d+) inbound=[^ ]+:(\\d+) admin=[^ ]+:(\\d+)");
    private String instanceId;
    private int outboundPort;
    private int inboundPort;
    private int adminPort;

    private WeftProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static WeftProcess start(List<String> args) {
        return start(args, java.util.Map.of());
    }

    static WeftProcess start(List<String> args, java.util.Map<String, String> env) {
        return start(List.of("-Xmx256m"), args, env);
    }

    /** Starts `weft` with these JVM options (heap and direct memory limits, system properties) instead of -Xmx256m. */
    static WeftProcess start(List<String> jvmOptions, List<String> args, java.util.Map<String, String> env) {
        try {
            Path out = Files.createTempFile("weft-stdout-", ".log");
            Path err = Files.createTempFile("weft-stderr-", ".log");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.weft.cli.Main");
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            return new WeftProcess(pb.start(), out, err);
        } catch (IOException e) {
            throw new AssertionError("cannot start weft: " + e, e);
        }
    }

    /** Waits for the control plane's ready line and learns its ports from it. */
    WeftProcess awaitReady() {
        Awaitility.await("control plane ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("weft exited with " + process.exitValue() + ": " + stderr() + stdout());
            }
            Matcher m = READY.matcher(stderr());
            if (m.find()) {
                httpPort = Integer.parseInt(m.group(2));
                dnsPort = Integer.parseInt(m.group(4));
                xdsPort = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
                return true;
            }
            return false;
        });
        return this;
    }

    int httpPort() {
        return httpPort;
    }

    int dnsPort() {
        return dnsPort;
    }

    /** The xDS port from the ready line. */
    /** Waits for a `weft proxy` process's ready line and learns its ports from it. */
    WeftProcess awaitSidecarReady() {
        Awaitility.await("sidecar ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("weft proxy exited with " + process.exitValue() + ": " + stderr() + stdout());
            }
            Matcher m = SIDECAR_READY.matcher(stderr());
            if (m.find()) {
                instanceId = m.group(1);
                outboundPort = Integer.parseInt(m.group(2));
                inboundPort = Integer.parseInt(m.group(3));
                adminPort = Integer.parseInt(m.group(4));
                return true;
            }
            return false;
        });
        return this;
    }

    String instanceId() {
        return instanceId;
    }

    int outboundPort() {
        return outboundPort;
    }

    int inboundPort() {
        return inboundPort;
    }

    int adminPort() {
        return adminPort;
    }

    int xdsPort() {
        return xdsPort;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    Process process() {
        return process;
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() {
        process.destroyForcibly();
        waitExit();
    }

    /** SIGTERM: a clean shutdown. */
    int terminate() {
        process.destroy();
        return waitExit();
    }

    private int waitExit() {
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // temp files only
        }
    }
}
