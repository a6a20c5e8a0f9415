package dev.weft.proxy.xds;

import dev.weft.proxy.xds.wire.MalformedProtoException;
import dev.weft.proxy.xds.wire.ProtoAny;
import dev.weft.proxy.xds.wire.ProtoReader;
import java.io.IOException;
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
                out.write(new DiscoveryMessages.Response(accepted.versions().get(t), accepted.resources().get(t), t.typeUrl, "")
                        .encode().toDelimitedByteArray());
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
        EnumMap<ResourceType, List<ProtoAny>> resources = new EnumMap<>(ResourceType.class);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            ProtoReader in = new ProtoReader(bytes);
            while (!in.atEnd()) {
                DiscoveryMessages.Response r = DiscoveryMessages.Response.decode(in.delimited());
                ResourceType t = ResourceType.ofTypeUrl(r.typeUrl());
                if (t == null) {
                    throw new IOException(file + ": unknown type_url " + r.typeUrl());
                }
                versions.put(t, r.versionInfo());
                resources.put(t, r.resources());
            }
        } catch (MalformedProtoException e) {
            throw new IOException(file + ": " + e.getMessage());
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
