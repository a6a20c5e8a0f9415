package dev.weft.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir
    Path dir;

    @Test
    void createdOnceWithOwnerOnlyPermissionsThenReadBack() throws Exception {
        AdminToken first = AdminToken.loadOrCreate(dir.resolve("data"));
        assertThat(first.created()).isTrue();
        assertThat(Base64.getUrlDecoder().decode(first.value())).hasSize(32);
        Path file = dir.resolve("data").resolve("admin-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file).trim()).isEqualTo(first.value());
        try (var files = Files.list(dir.resolve("data"))) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }

        AdminToken second = AdminToken.loadOrCreate(dir.resolve("data"));
        assertThat(second.created()).isFalse();
        assertThat(second.value()).isEqualTo(first.value());
    }

    @Test
    void matchesOnlyTheExactToken() {
        AdminToken t = AdminToken.loadOrCreate(dir);
        assertThat(t.matches(t.value())).isTrue();
        assertThat(t.matches(t.value() + "x")).isFalse();
        assertThat(t.matches(t.value().substring(1))).isFalse();
        assertThat(t.matches("")).isFalse();
        assertThat(t.matches(null)).isFalse();
        assertThat(t.toString()).doesNotContain(t.value());
    }

    @Test
    void tightensAFileOthersCouldRead() throws Exception {
        Files.writeString(dir.resolve("admin-token"), "secret-token\n");
        Files.setPosixFilePermissions(dir.resolve("admin-token"), PosixFilePermissions.fromString("rw-r--r--"));
        AdminToken t = AdminToken.loadOrCreate(dir);
        assertThat(t.created()).isFalse();
        assertThat(t.value()).isEqualTo("secret-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin-token")))).isEqualTo("rw-------");
    }
}
