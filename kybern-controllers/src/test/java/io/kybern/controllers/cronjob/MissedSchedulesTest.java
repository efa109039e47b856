package io.kybern.controllers.cronjob;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.cron.CronSchedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MissedSchedulesTest {

    private static final CronSchedule EVERY_MINUTE = CronSchedule.parse("*/1 * * * *", null);
    private static final Instant CREATED = Instant.parse("2026-03-10T10:00:30Z");

    @Test
    void nothingDueBeforeTheFirstScheduleTime() {
        MissedSchedules due = MissedSchedules.between(EVERY_MINUTE, CREATED, Optional.empty(),
                Instant.parse("2026-03-10T10:00:59Z"));
        assertThat(due.mostRecent()).isEmpty();
        assertThat(due.missed()).isZero();
    }

    @Test
    void theMostRecentOfSeveralMissedTimesIsTheOneToRun() {
        MissedSchedules due = MissedSchedules.between(EVERY_MINUTE, CREATED, Optional.empty(),
                Instant.parse("2026-03-10T10:03:10Z"));
        assertThat(due.mostRecent()).contains(Instant.parse("2026-03-10T10:03:00Z"));
        assertThat(due.missed()).isEqualTo(3);
        assertThat(due.tooMany()).isFalse();
    }

    @Test
    void aStartingDeadlineNarrowsTheWindow() {
        MissedSchedules due = MissedSchedules.between(EVERY_MINUTE, CREATED, Optional.of(Duration.ofSeconds(90)),
                Instant.parse("2026-03-10T10:10:10Z"));
        assertThat(due.mostRecent()).contains(Instant.parse("2026-03-10T10:10:00Z"));
        assertThat(due.missed()).isEqualTo(2);
    }

    @Test
    void moreThanAHundredMissesIsTooManyButStillFindsTheLatest() {
        Instant now = CREATED.plus(Duration.ofDays(3)).plusSeconds(5);
        MissedSchedules due = MissedSchedules.between(EVERY_MINUTE, CREATED, Optional.empty(), now);
        assertThat(due.tooMany()).isTrue();
        assertThat(due.mostRecent()).contains(Instant.parse("2026-03-13T10:00:00Z"));
    }

    @Test
    void everyCountsFromTheLastScheduleTimeAndJumpsPastTooManyMisses() {
        CronSchedule every = CronSchedule.parse("@every 30s", null);
        MissedSchedules few = MissedSchedules.between(every, CREATED, Optional.empty(),
                Instant.parse("2026-03-10T10:02:10Z"));
        assertThat(few.mostRecent()).contains(Instant.parse("2026-03-10T10:02:00Z"));
        assertThat(few.missed()).isEqualTo(3);

        MissedSchedules many = MissedSchedules.between(every, CREATED, Optional.empty(),
                Instant.parse("2026-03-11T10:00:40Z"));
        assertThat(many.tooMany()).isTrue();
        assertThat(many.mostRecent()).contains(Instant.parse("2026-03-11T10:00:30Z"));
    }
}
