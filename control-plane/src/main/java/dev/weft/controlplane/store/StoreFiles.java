package dev.weft.controlplane.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The data directory: 0700, every file in it 0600, and an advisory lock so that two processes never
 * write the same database. Files are created by us before SQLite opens them because SQLite derives
 * the mode of -wal and -shm from the database file, and the process umask could widen a fresh file.
 */
final class StoreFiles implements AutoCloseable {
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final Path db;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StoreFiles(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.db = dir.resolve("weft.db");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    static StoreFiles prepare(Path dataDir) {
        Path dir = dataDir.toAbsolutePath();
        try {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
                throw new StoreException("data dir " + dir + " exists and is not a directory");
            }
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            restrict(dir, DIR_MODE);
        } catch (IOException | UnsupportedOperationException e) {
            throw new StoreException("cannot prepare data dir " + dir + ": " + e, e);
        }
        Path lockFile = dir.resolve("LOCK");
        FileChannel channel = null;
        try {
            createRestricted(lockFile);
            channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new StoreException("data dir " + dir + " is in use by another process (" + lockFile + " is locked)");
            }
            StoreFiles files = new StoreFiles(dir, channel, lock);
            for (Path p : files.sqliteFiles()) {
                createRestricted(p);
            }
            return files;
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            String why = e instanceof OverlappingFileLockException ? "already open in this process" : e.toString();
            throw new StoreException("cannot open data dir " + dir + ": " + why, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    Path db() {
        return db;
    }

    List<Path> sqliteFiles() {
        return List.of(db, dir.resolve("weft.db-wal"), dir.resolve("weft.db-shm"));
    }

    /** Re-applies 0600 to whatever SQLite created or kept; returns the files that had to be fixed. */
    List<Path> recheck() {
        return sqliteFiles().stream().filter(Files::exists).filter(p -> {
            try {
                return restrict(p, FILE_MODE);
            } catch (IOException e) {
                throw new StoreException("cannot restrict permissions of " + p + ": " + e, e);
            }
        }).toList();
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel close below releases it anyway
        }
        closeQuietly(lockChannel);
    }

    private static void createRestricted(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
        } catch (FileAlreadyExistsException e) {
            // kept from an earlier run; fall through to re-apply the mode
        }
        restrict(file, FILE_MODE);
    }

    /** Sets the mode if it differs; true when it had to be changed. */
    private static boolean restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (Files.getPosixFilePermissions(p).equals(mode)) {
            return false;
        }
        Files.setPosixFilePermissions(p, mode);
        return true;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the original error is the one worth reporting
        }
    }
}
