package dev.weft.proxy.xds;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

/**
 * The last accepted configuration on disk: {@code <state-dir>/xds-last-known-good.binpb}, a
 * sequence of length-delimited {@code DiscoveryResponse} messages (CDS, EDS, LDS, RDS), each with
 * its type_url, version_info and every accepted resource. Written to a temporary file, fsynced,
 * then atomically renamed over the old one; mode 0600.
 */
final class LastKnownGood {
    static final String FILE = "xds-last-known-good.binpb";

    private LastKnownGood() {
    }

    static void write(Path stateDir, AcceptedResources accepted) throws IOException {
        Files.createDirectories(stateDir);
        Path target = stateDir.resolve(FILE);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            OutputStream out = Channels.newOutputStream(ch);
            for (ResourceType t : ResourceType.values()) {
                DiscoveryResponse.newBuilder()
                        .setTypeUrl(t.typeUrl)
                        .setVersionInfo(accepted.versions().get(t))
                        .addAllResources(accepted.resources().get(t))
                        .build()
                        .writeDelimitedTo(out);
            }
            out.flush();
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another writer holds " + tmp, e);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsyncDirectory(stateDir);
    }

    /** Empty when there is no file; an IOException when it exists but cannot be read or parsed. */
    static Optional<AcceptedResources> read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        EnumMap<ResourceType, String> versions = new EnumMap<>(ResourceType.class);
        EnumMap<ResourceType, List<com.google.protobuf.Any>> resources = new EnumMap<>(ResourceType.class);
        try (InputStream in = Files.newInputStream(file)) {
            DiscoveryResponse r;
            while ((r = DiscoveryResponse.parseDelimitedFrom(in)) != null) {
                ResourceType t = ResourceType.ofTypeUrl(r.getTypeUrl());
                if (t == null) {
                    throw new IOException(file + ": unknown type_url " + r.getTypeUrl());
                }
                versions.put(t, r.getVersionInfo());
                resources.put(t, r.getResourcesList());
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (resources.size() != ResourceType.values().length) {
            throw new IOException(file + ": truncated, " + resources.size() + " of " + ResourceType.values().length + " types");
        }
        return Optional.of(new AcceptedResources(versions, resources));
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory; the rename is still atomic there.
        }
    }
}
