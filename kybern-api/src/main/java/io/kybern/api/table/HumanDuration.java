package io.kybern.api.table;

import java.time.Duration;
import java.time.Instant;

/**
 * Durations and ages as Kubernetes prints them ({@code duration.HumanDuration}): precise when short,
 * coarser as they grow, so that a column of ages stays narrow ("45s", "3m20s", "2d3h", "400d", "3y2d").
 */
public final class HumanDuration {

    private static final long HOURS_PER_YEAR = 24L * 365;

    private HumanDuration() {
    }

    /** The age of something created at {@code timestamp}; {@code <unknown>} when there is no timestamp. */
    public static String since(Instant timestamp, Instant now) {
        if (timestamp == null) {
            return "<unknown>";
        }
        return format(Duration.between(timestamp, now));
    }

    public static String format(Duration d) {
        long seconds = d.getSeconds() + (d.isNegative() && d.getNano() > 0 ? 1 : 0); // truncate toward zero
        // Up to a second in the future is clock skew between machines, shown as "0s"; more is invalid.
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 180) {
            return minutes + "m";
        }
        long hours = seconds / 3600;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < HOURS_PER_YEAR * 2) {
            return hours / 24 + "d";
        } else if (hours < HOURS_PER_YEAR * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? hours / HOURS_PER_YEAR + "y" : hours / HOURS_PER_YEAR + "y" + days + "d";
        }
        return hours / HOURS_PER_YEAR + "y";
    }
}
