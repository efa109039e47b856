package io.kybern.kubelet.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * Turns a CRI log file back into what the container wrote, as kubelet's {@code /containerLogs} does: pieces
 * ({@code P}) joined up to their full line ({@code F}), each line ended by a newline, optionally prefixed
 * with its time, filtered by {@link LogOptions}. Lines not in the CRI format are skipped.
 */
public final class CriLogReader {

    static final Duration FOLLOW_POLL = Duration.ofMillis(200);

    private final LogOptions options;
    private final OutputStream out;
    private final StringBuilder pending = new StringBuilder();
    private long written;

    private CriLogReader(LogOptions options, OutputStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Writes the log of {@code file} to {@code out}; with {@code follow}, goes on with what is appended until
     * {@code running} says the container stopped and the file has been read to its end.
     */
    public static void copy(Path file, LogOptions options, BooleanSupplier running, OutputStream out)
            throws IOException, InterruptedException {
        new CriLogReader(options, out).run(file, running);
    }

    private void run(Path file, BooleanSupplier running) throws IOException, InterruptedException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            Deque<String> tail = options.tailLines() == null ? null : new ArrayDeque<>();
            // The file as it is now: the tail is counted on it before anything is sent.
            while (channel.read(buffer.clear()) > 0) {
                if (!lines(buffer.flip(), line, tail)) {
                    return;
                }
            }
            if (tail != null) {
                for (String message : tail) {
                    if (!send(message)) {
                        return;
                    }
                }
            }
            out.flush();
            if (!options.follow()) {
                return;
            }
            while (true) {
                // Read the state first: a container that stopped has written everything it will.
                boolean stillRunning = running.getAsBoolean();
                int read = channel.read(buffer.clear());
                if (read > 0) {
                    if (!lines(buffer.flip(), line, null)) {
                        return;
                    }
                    out.flush();
                    continue;
                }
                if (!stillRunning) {
                    return;
                }
                Thread.sleep(FOLLOW_POLL);
            }
        }
    }

    /** Splits into lines; false once the byte limit is reached. */
    private boolean lines(ByteBuffer bytes, ByteArrayOutputStream line, Deque<String> tail) throws IOException {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (b != '\n') {
                line.write(b);
                continue;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            var parsed = CriLogLine.parse(text);
            if (parsed.isEmpty()) {
                continue;
            }
            String message = message(parsed.get());
            if (message == null) {
                continue;
            }
            if (tail != null) {
                tail.addLast(message);
                if (tail.size() > options.tailLines()) {
                    tail.removeFirst();
                }
            } else if (!send(message)) {
                return false;
            }
        }
        return true;
    }

    /** The whole line once its last piece is read, or null while it is incomplete or filtered out. */
    private String message(CriLogLine line) {
        if (pending.isEmpty() && options.timestamps()) {
            pending.append(line.timestamp()).append(' ');
        }
        pending.append(line.text());
        if (line.partial()) {
            return null;
        }
        pending.append('\n');
        String message = pending.toString();
        pending.setLength(0);
        if (options.since() != null && line.time().isBefore(options.since())) {
            return null;
        }
        return message;
    }

    private boolean send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        Long limit = options.limitBytes();
        if (limit != null && written + bytes.length >= limit) {
            out.write(bytes, 0, (int) (limit - written));
            written = limit;
            out.flush();
            return false;
        }
        out.write(bytes);
        written += bytes.length;
        return true;
    }
}
