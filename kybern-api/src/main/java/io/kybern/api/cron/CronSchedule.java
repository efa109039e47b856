package io.kybern.api.cron;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CronJob's {@code spec.schedule} in its {@code spec.timeZone}, read as Kubernetes reads it (the
 * robfig/cron "standard" parser): five fields (parsed by cron-utils' Unix definition), a macro
 * ({@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily},
 * {@code @midnight}, {@code @hourly}), or the undocumented {@code @every <duration>} that Kubernetes
 * accepts too: a fixed delay, whole seconds, at least one.
 */
public final class CronSchedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** The macros and the five fields each stands for. */
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private static final String EVERY = "@every ";
    /** A Go duration as {@code @every} takes it: integer parts with units, such as {@code 1h30m} or {@code 90s}. */
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ns|us|µs|ms|s|m|h)");

    /** Cron fields, or empty for a fixed delay. */
    private final Optional<ExecutionTime> times;
    private final Duration every;
    private final ZoneId zone;

    private CronSchedule(Optional<ExecutionTime> times, Duration every, ZoneId zone) {
        this.times = times;
        this.every = every;
        this.zone = zone;
    }

    /**
     * Parses a schedule; {@code timeZone} null means the controller's zone, which for Kybern is UTC.
     *
     * @throws IllegalArgumentException for a schedule or a time zone Kubernetes would not accept, with a
     *                                  message saying why
     */
    public static CronSchedule parse(String schedule, String timeZone) {
        ZoneId zone = zone(timeZone);
        if (schedule == null || schedule.isBlank()) {
            throw new IllegalArgumentException("empty spec string");
        }
        String spec = schedule.trim();
        if (spec.startsWith(EVERY)) {
            return new CronSchedule(Optional.empty(), delay(spec.substring(EVERY.length()).trim()), zone);
        }
        if (spec.startsWith("@")) {
            String fields = MACROS.get(spec.toLowerCase(Locale.ROOT));
            if (fields == null) {
                throw new IllegalArgumentException("unrecognized descriptor: " + spec);
            }
            spec = fields;
        }
        int fields = spec.split("\\s+").length;
        if (fields != 5) {
            throw new IllegalArgumentException("expected exactly 5 fields, found " + fields + ": [" + spec + "]");
        }
        try {
            return new CronSchedule(Optional.of(ExecutionTime.forCron(PARSER.parse(spec))), Duration.ZERO, zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The delay of {@code @every}: truncated to whole seconds, at least one second, as robfig/cron does. */
    private static Duration delay(String text) {
        Matcher matcher = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "ns" -> Duration.ofNanos(amount);
                case "us", "µs" -> Duration.ofNanos(amount * 1000);
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
            end = matcher.end();
        }
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException("failed to parse duration " + EVERY + text + ": time: invalid duration \""
                    + text + "\"");
        }
        Duration seconds = total.truncatedTo(ChronoUnit.SECONDS);
        return seconds.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : seconds;
    }

    /** An IANA zone name as Kubernetes accepts it; null means UTC. */
    public static ZoneId zone(String timeZone) {
        if (timeZone == null) {
            return ZoneOffset.UTC;
        }
        // IANA names only: no offsets such as "+02:00" and no "Local".
        if (timeZone.isBlank() || !ZoneId.getAvailableZoneIds().contains(timeZone)) {
            throw new IllegalArgumentException("unknown time zone " + timeZone);
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone " + timeZone, e);
        }
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first scheduled time strictly after {@code after}; for {@code @every}, the delay after it (whole seconds). */
    public Optional<Instant> next(Instant after) {
        if (times.isEmpty()) {
            return Optional.of(after.truncatedTo(ChronoUnit.SECONDS).plus(every));
        }
        return times.get().nextExecution(after.atZone(zone)).map(t -> t.toInstant());
    }

    /**
     * The last scheduled time in ({@code from}, {@code at}]: what a schedule walked from {@code from}
     * reaches last without passing {@code at}. Computed without walking every time in between.
     */
    public Optional<Instant> latest(Instant from, Instant at) {
        if (times.isEmpty()) {
            Instant first = from.truncatedTo(ChronoUnit.SECONDS).plus(every);
            if (first.isAfter(at)) {
                return Optional.empty();
            }
            long steps = Duration.between(first, at).dividedBy(every);
            return Optional.of(first.plus(every.multipliedBy(steps)));
        }
        return times.get().lastExecution(at.plusSeconds(1).atZone(zone)).map(t -> t.toInstant())
                .filter(t -> !t.isAfter(at) && t.isAfter(from));
    }
}
