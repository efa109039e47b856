package io.kybern.apiserver.pki;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file in the TLS directory that cannot be used as it is: unreadable, not what its name says,
 * a key that is not its certificate's, a CA that expired. The server refuses to start rather than
 * replace it, because clients may trust what is there; the message names the file and what to do.
 */
public final class InvalidPkiFileException extends IOException {

    private final transient Path file;

    public InvalidPkiFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public InvalidPkiFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
