package io.kybern.api.protobuf;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON spellings Go gives Kubernetes' time types: {@code metav1.Time} as RFC 3339 in seconds,
 * {@code MicroTime} with six fractional digits, both in UTC, and {@code metav1.Duration} as Go's
 * {@code time.Duration} string ("1m30s").
 */
final class GoValues {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*)(?:\\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)");
    private static final long SECOND = 1_000_000_000L;
    private static final long FIRST_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long LAST_SECOND = Instant.parse("9999-12-31T23:59:58Z").getEpochSecond();

    private GoValues() {
    }

    static String time(long seconds, int nanos, String path) {
        return SECONDS.format(instant(seconds, nanos, path));
    }

    static String microTime(long seconds, int nanos, String path) {
        return MICROS.format(instant(seconds, nanos, path));
    }

    /** Go refuses to print years outside 0000-9999 in RFC 3339; so do we. */
    private static Instant instant(long seconds, int nanos, String path) {
        if (seconds < FIRST_SECOND || seconds > LAST_SECOND) {
            throw new ProtobufException(path + ": time out of range: " + seconds + "s");
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** An RFC 3339 time, with any offset and fraction, as an instant. */
    static Instant parseTime(String text, String path) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new ProtobufException(path + ": not an RFC 3339 time: \"" + text + "\"");
        }
    }

    /** Go's {@code time.Duration.String()}. */
    static String duration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        // Long.MIN_VALUE has no positive counterpart; BigDecimal keeps it exact.
        BigDecimal u = BigDecimal.valueOf(nanos).abs();
        if (u.compareTo(BigDecimal.valueOf(SECOND)) < 0) {
            if (u.compareTo(BigDecimal.valueOf(1_000)) < 0) {
                return sign + u.toPlainString() + "ns";
            }
            if (u.compareTo(BigDecimal.valueOf(1_000_000)) < 0) {
                return sign + fraction(u, 1_000) + "µs";
            }
            return sign + fraction(u, 1_000_000) + "ms";
        }
        BigDecimal[] hours = u.divideAndRemainder(BigDecimal.valueOf(3600 * SECOND));
        BigDecimal[] minutes = hours[1].divideAndRemainder(BigDecimal.valueOf(60 * SECOND));
        StringBuilder out = new StringBuilder(sign);
        if (hours[0].signum() > 0) {
            out.append(hours[0].toPlainString()).append('h');
        }
        if (hours[0].signum() > 0 || minutes[0].signum() > 0) {
            out.append(minutes[0].toPlainString()).append('m');
        }
        return out.append(fraction(minutes[1], SECOND)).append('s').toString();
    }

    private static String fraction(BigDecimal value, long unit) {
        return value.divide(BigDecimal.valueOf(unit), 9, RoundingMode.UNNECESSARY).stripTrailingZeros()
                .toPlainString();
    }

    /** Go's {@code time.ParseDuration}: "1h2m3.5s", "-1.5ms", "0". */
    static long parseDuration(String text, String path) {
        String rest = text;
        boolean negative = false;
        if (rest.startsWith("-") || rest.startsWith("+")) {
            negative = rest.startsWith("-");
            rest = rest.substring(1);
        }
        if (rest.equals("0")) {
            return 0;
        }
        if (rest.isEmpty()) {
            throw new ProtobufException(path + ": not a duration: \"" + text + "\"");
        }
        Matcher m = DURATION_PART.matcher(rest);
        BigDecimal total = BigDecimal.ZERO;
        int at = 0;
        while (at < rest.length()) {
            if (!m.find(at) || m.start() != at || (m.group(1).isEmpty() && (m.group(2) == null
                    || m.group(2).isEmpty()))) {
                throw new ProtobufException(path + ": not a duration: \"" + text + "\"");
            }
            String number = (m.group(1).isEmpty() ? "0" : m.group(1))
                    + (m.group(2) == null || m.group(2).isEmpty() ? "" : "." + m.group(2));
            long unit = switch (m.group(3)) {
                case "ns" -> 1;
                case "us", "µs", "μs" -> 1_000;
                case "ms" -> 1_000_000;
                case "s" -> SECOND;
                case "m" -> 60 * SECOND;
                default -> 3600 * SECOND;
            };
            total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
            at = m.end();
        }
        BigDecimal signed = negative ? total.negate() : total;
        try {
            return signed.setScale(0, RoundingMode.DOWN).longValueExact();
        } catch (ArithmeticException e) {
            throw new ProtobufException(path + ": duration out of range: \"" + text + "\"");
        }
    }
}
