package io.kybern.controllers.cronjob;

import io.kybern.api.cron.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Which scheduled time a CronJob should run now, as Kubernetes' {@code mostRecentScheduleTime}: the
 * latest schedule time in (earliest, now], where earliest is the last schedule time (or the creation
 * time), moved up to now - startingDeadlineSeconds when that is later; and how many were missed.
 *
 * @param mostRecent the time to start a Job for, if any fell in the window
 * @param missed     how many scheduled times fell in the window (the most recent included)
 */
public record MissedSchedules(Optional<Instant> mostRecent, long missed) {

    /** More than this many misses earns the "too many missed start times" warning. */
    public static final long TOO_MANY = 100;

    public static MissedSchedules between(CronSchedule schedule, Instant lastScheduleOrCreation,
            Optional<Duration> startingDeadline, Instant now) {
        Instant earliest = lastScheduleOrCreation;
        if (startingDeadline.isPresent()) {
            Instant windowStart = now.minus(startingDeadline.get());
            if (windowStart.isAfter(earliest)) {
                earliest = windowStart;
            }
        }
        Instant latest = null;
        long count = 0;
        Optional<Instant> t = schedule.next(earliest);
        // Counting stops a little past the warning threshold: an old CronJob with a per-minute schedule
        // would otherwise walk millions of minutes.
        while (t.isPresent() && !t.get().isAfter(now)) {
            latest = t.get();
            count++;
            if (count > TOO_MANY) {
                // Jump to the last time at or before now instead of walking every missed one.
                latest = schedule.latest(earliest, now).orElse(latest);
                break;
            }
            t = schedule.next(t.get());
        }
        return new MissedSchedules(Optional.ofNullable(latest), count);
    }

    public boolean tooMany() {
        return missed > TOO_MANY;
    }
}
