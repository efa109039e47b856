package io.kybern.controllers.cronjob;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * A CronJob's {@code spec.schedule} in its {@code spec.timeZone}: the standard five fields (parsed by
 * cron-utils' Unix definition) or one of the macros Kubernetes' parser accepts. {@code @every} is not
 * one of them, as in Kubernetes.
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

    private final ExecutionTime times;
    private final ZoneId zone;

    private CronSchedule(ExecutionTime times, ZoneId zone) {
        this.times = times;
        this.zone = zone;
    }

    /**
     * Parses a schedule; {@code timeZone} null means the controller's zone, which for Kybern is UTC.
     *
     * @throws IllegalArgumentException for a schedule or a time zone Kubernetes would not accept
     */
    public static CronSchedule parse(String schedule, String timeZone) {
        if (schedule == null || schedule.isBlank()) {
            throw new IllegalArgumentException("empty schedule");
        }
        String spec = schedule.trim();
        if (spec.startsWith("@")) {
            String fields = MACROS.get(spec.toLowerCase(java.util.Locale.ROOT));
            if (fields == null) {
                throw new IllegalArgumentException("unrecognized descriptor: " + spec);
            }
            spec = fields;
        }
        if (spec.split("\\s+").length != 5) {
            throw new IllegalArgumentException("expected exactly 5 fields, found "
                    + spec.split("\\s+").length + ": " + schedule);
        }
        Cron cron;
        try {
            cron = PARSER.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new CronSchedule(ExecutionTime.forCron(cron), zone(timeZone));
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

    /** The last scheduled time at or before {@code at}. */
    public Optional<Instant> latestAtOrBefore(Instant at) {
        return times.lastExecution(at.plusSeconds(1).atZone(zone)).map(t -> t.toInstant())
                .filter(t -> !t.isAfter(at));
    }

    /** The first scheduled time strictly after {@code after}. */
    public Optional<Instant> next(Instant after) {
        return times.nextExecution(after.atZone(zone)).map(t -> t.toInstant());
    }
}
