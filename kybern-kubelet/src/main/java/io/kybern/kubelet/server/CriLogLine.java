package io.kybern.kubelet.server;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One line of a CRI log file, as containerd writes it: {@code <RFC3339Nano time> <stdout|stderr> <tag> <text>},
 * where the tag is {@code F} for the end of a line the container wrote and {@code P} for a piece of a longer
 * one (more tags may follow after {@code :}, which we ignore).
 *
 * @param timestamp the time exactly as written (kept for {@code timestamps=true})
 * @param time      that time parsed
 * @param stream    {@code stdout} or {@code stderr}
 * @param partial   whether the container's line goes on in the next log line
 * @param text      the text, without the newline
 */
public record CriLogLine(String timestamp, Instant time, String stream, boolean partial, String text) {

    /** Parses one line (without its newline); empty when the line is not in the CRI format. */
    public static Optional<CriLogLine> parse(String line) {
        int first = line.indexOf(' ');
        int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
        int third = second < 0 ? -1 : line.indexOf(' ', second + 1);
        if (third < 0) {
            // An empty full line may end right after its tag.
            if (second > 0 && line.length() > second + 1) {
                third = line.length();
            } else {
                return Optional.empty();
            }
        }
        String timestamp = line.substring(0, first);
        String stream = line.substring(first + 1, second);
        String tag = line.substring(second + 1, third);
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            return Optional.empty();
        }
        String kind = tag.split(":", 2)[0];
        if (!kind.equals("F") && !kind.equals("P")) {
            return Optional.empty();
        }
        Instant time;
        try {
            time = Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        String text = third < line.length() ? line.substring(third + 1) : "";
        return Optional.of(new CriLogLine(timestamp, time, stream, kind.equals("P"), text));
    }
}
