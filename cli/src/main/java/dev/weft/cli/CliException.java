package dev.weft.cli;

/** A user-facing failure: printed as one line, exit code 1, no stack trace. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
