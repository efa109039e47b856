package io.kybern.kubelet.server;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The query parameters of {@code GET /containerLogs/...}, the kubelet's names for PodLogOptions.
 *
 * @param follow     keep the response open and send what the container writes until it stops
 * @param previous   the last terminated instance's log instead of the current one's
 * @param tailLines  only the last lines (null: all)
 * @param since      only lines written at or after this time (null: all); from sinceSeconds or sinceTime
 * @param timestamps prefix each line with its time
 * @param limitBytes stop after this many bytes (null: no limit)
 */
public record LogOptions(boolean follow, boolean previous, Long tailLines, Instant since, boolean timestamps,
        Long limitBytes) {

    /** Parses the query; a value that does not parse is an {@link IllegalArgumentException} (a 400). */
    public static LogOptions parse(Map<String, List<String>> query, Instant now) {
        Long sinceSeconds = number(query, "sinceSeconds");
        String sinceTime = first(query, "sinceTime");
        if (sinceSeconds != null && sinceTime != null) {
            throw new IllegalArgumentException("at most one of sinceTime or sinceSeconds may be specified");
        }
        Instant since = null;
        if (sinceSeconds != null) {
            if (sinceSeconds < 1) {
                throw new IllegalArgumentException("sinceSeconds: must be greater than 0");
            }
            since = now.minusSeconds(sinceSeconds);
        } else if (sinceTime != null) {
            try {
                since = Instant.parse(sinceTime);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("sinceTime: invalid time " + sinceTime);
            }
        }
        Long tail = number(query, "tailLines");
        if (tail != null && tail < 0) {
            throw new IllegalArgumentException("tailLines: must be greater than or equal to 0");
        }
        Long limit = number(query, "limitBytes");
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limitBytes: must be greater than 0");
        }
        return new LogOptions(flag(query, "follow"), flag(query, "previous"), tail, since, flag(query, "timestamps"),
                limit);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static boolean flag(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "", "true", "1", "t", "T", "TRUE", "True" -> true;
            case "false", "0", "f", "F", "FALSE", "False" -> false;
            default -> throw new IllegalArgumentException(name + ": invalid boolean " + value);
        };
    }

    private static Long number(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": invalid integer " + value);
        }
    }
}
