package dev.weft.controlplane.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's admin token: 256 random bits, URL-safe base64, kept in
 * {@code <dataDir>/admin-token} with mode 0600. Writes to the HTTP API must present it.
 * Never logged; {@link #toString()} hides it.
 */
public final class AdminToken {
    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
    static final String FILE_NAME = "admin-token";
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final String value;
    private final byte[] digest;
    private final boolean created;

    private AdminToken(String value, boolean created) {
        this.value = value;
        this.digest = sha256(value);
        this.created = created;
    }

    /**
     * Reads the token from {@code <dataDir>/admin-token}, or creates it there on first start. The
     * file is created with mode 0600 from its first byte (never world-readable, even briefly) and
     * appears under its final name only once complete.
     */
    public static AdminToken loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                return new AdminToken(read(file), false);
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = createOwnerOnly(dataDir);
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII)));
                    ch.force(true);
                }
                try {
                    // A hard link publishes the complete file, and fails if another process won the race.
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException e) {
                    return new AdminToken(read(file), false);
                } catch (UnsupportedOperationException | IOException e) {
                    if (Files.exists(file)) {
                        return new AdminToken(read(file), false);
                    }
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            log.info("created admin token file={}", file);
            return new AdminToken(token, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token in " + file + ": " + e.getMessage(), e);
        }
    }

    /** True if the token file was created by this call (show the token once to the operator). */
    public boolean created() {
        return created;
    }

    /** The token itself, for the CLI to show once or to send. Never log it. */
    public String value() {
        return value;
    }

    /** Compares in constant time (both sides are hashed first, so the length does not leak either). */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    @Override
    public String toString() {
        return "AdminToken[redacted]";
    }

    private static Path createOwnerOnly(Path dir) throws IOException {
        try {
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            return Files.createTempFile(dir, ".admin-token-", ".tmp", attr);
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(dir, ".admin-token-", ".tmp"); // not POSIX: the directory's ACL applies
        }
    }

    private static String read(Path file) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                log.warn("admin token file was readable by others; restricting it to the owner file={} mode={}",
                        file, PosixFilePermissions.toString(perms));
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (token.isEmpty()) {
            throw new IOException("the admin token file is empty; delete it to generate a new token");
        }
        return token;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
