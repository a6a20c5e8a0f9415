package dev.weft.controlplane.dns;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the real {@code dig} and reads its output. A missing dig fails the test, never skips it. */
final class Dig {
    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");
    private static final Pattern FLAGS = Pattern.compile(";; flags: ([a-z ]*);");
    private static final Pattern SIZE = Pattern.compile(";; MSG SIZE\\s+rcvd: (\\d+)");

    /** One record line: name, ttl, class, type, data. */
    record Record(String name, long ttl, String type, String data) {}

    record Result(String status, Set<String> flags, List<Record> answer, List<Record> authority,
            List<Record> additional, int size, boolean retriedOverTcp, String output) {
        List<String> answerData() {
            return answer.stream().map(Record::data).toList();
        }
    }

    private Dig() {}

    static Result query(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port),
                "+norec", "+time=2", "+tries=1"));
        cmd.addAll(Arrays.asList(args));
        String out;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("dig did not finish: " + cmd);
            }
        } catch (IOException e) {
            throw new AssertionError("dig is required for this test (Debian package dnsutils, installed by .ci/run): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return parse(out);
    }

    static Result parse(String out) {
        // With a TCP retry dig prints the truncated answer first; the last message is the one that counts.
        String last = out;
        int retry = out.lastIndexOf("Truncated, retrying in TCP mode");
        if (retry >= 0) {
            last = out.substring(retry);
        }
        Matcher status = STATUS.matcher(last);
        if (!status.find()) {
            throw new AssertionError("no answer from dig:\n" + out);
        }
        Matcher flags = FLAGS.matcher(last);
        Set<String> flagSet = new HashSet<>();
        if (flags.find()) {
            flagSet.addAll(Arrays.asList(flags.group(1).trim().split("\\s+")));
        }
        Matcher size = SIZE.matcher(last);
        int bytes = size.find() ? Integer.parseInt(size.group(1)) : -1;
        return new Result(status.group(1), flagSet, section(last, "ANSWER"), section(last, "AUTHORITY"),
                section(last, "ADDITIONAL"), bytes, retry >= 0, out);
    }

    private static List<Record> section(String out, String name) {
        List<Record> records = new ArrayList<>();
        int start = out.indexOf(";; " + name + " SECTION:");
        if (start < 0) {
            return records;
        }
        String[] lines = out.substring(start).split("\n");
        for (int i = 1; i < lines.length && !lines[i].isBlank(); i++) {
            String[] f = lines[i].trim().split("\\s+", 5);
            records.add(new Record(f[0], Long.parseLong(f[1]), f[3], f.length > 4 ? f[4] : ""));
        }
        return records;
    }
}
