package io.kybern.api.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {

    @ParameterizedTest
    @CsvSource({
            "'*/1 * * * *', 2026-03-10T10:15:30Z, 2026-03-10T10:16:00Z",
            "'*/15 * * * *', 2026-03-10T10:15:00Z, 2026-03-10T10:30:00Z",
            "'30 2 * * 1-5', 2026-03-13T03:00:00Z, 2026-03-16T02:30:00Z",
            "@hourly, 2026-03-10T10:15:30Z, 2026-03-10T11:00:00Z",
            "@daily, 2026-03-10T10:15:30Z, 2026-03-11T00:00:00Z",
            "@midnight, 2026-03-10T10:15:30Z, 2026-03-11T00:00:00Z",
            "@weekly, 2026-03-10T10:15:30Z, 2026-03-15T00:00:00Z",
            "@monthly, 2026-03-10T10:15:30Z, 2026-04-01T00:00:00Z",
            "@yearly, 2026-03-10T10:15:30Z, 2027-01-01T00:00:00Z",
            "@annually, 2026-03-10T10:15:30Z, 2027-01-01T00:00:00Z",
    })
    void nextTimeInUtc(String schedule, String after, String expected) {
        assertThat(CronSchedule.parse(schedule, null).next(Instant.parse(after))).contains(Instant.parse(expected));
    }

    @Test
    void timeZoneShiftsTheSchedule() {
        // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC once daylight saving starts (8 March 2026).
        CronSchedule nineInNewYork = CronSchedule.parse("0 9 * * *", "America/New_York");
        assertThat(nineInNewYork.next(Instant.parse("2026-03-06T15:00:00Z")))
                .contains(Instant.parse("2026-03-07T14:00:00Z"));
        assertThat(nineInNewYork.next(Instant.parse("2026-03-08T00:00:00Z")))
                .contains(Instant.parse("2026-03-08T13:00:00Z"));
        assertThat(CronSchedule.parse("@daily", "Asia/Tokyo").next(Instant.parse("2026-03-10T10:00:00Z")))
                .contains(Instant.parse("2026-03-10T15:00:00Z"));
    }

    @Test
    void latestIncludesAnExactHitButNotTheStart() {
        CronSchedule hourly = CronSchedule.parse("@hourly", null);
        Instant from = Instant.parse("2026-03-10T08:00:00Z");
        assertThat(hourly.latest(from, Instant.parse("2026-03-10T10:00:00Z")))
                .contains(Instant.parse("2026-03-10T10:00:00Z"));
        assertThat(hourly.latest(from, Instant.parse("2026-03-10T10:59:59Z")))
                .contains(Instant.parse("2026-03-10T10:00:00Z"));
        assertThat(hourly.latest(from, Instant.parse("2026-03-10T08:30:00Z"))).isEmpty();
    }

    @Test
    void everyIsAFixedDelayInWholeSecondsAsKubernetesAcceptsIt() {
        CronSchedule every = CronSchedule.parse("@every 1h30m", null);
        Instant from = Instant.parse("2026-03-10T10:15:30.700Z");
        assertThat(every.next(from)).contains(Instant.parse("2026-03-10T11:45:30Z"));
        assertThat(every.latest(from, Instant.parse("2026-03-10T15:00:00Z")))
                .contains(Instant.parse("2026-03-10T14:45:30Z"));
        assertThat(every.latest(from, Instant.parse("2026-03-10T11:00:00Z"))).isEmpty();
        assertThat(CronSchedule.parse("@every 10ms", null).next(Instant.parse("2026-03-10T10:00:00Z")))
                .contains(Instant.parse("2026-03-10T10:00:01Z"));
    }

    @Test
    void refusesWhatKubernetesRefuses() {
        assertThatThrownBy(() -> CronSchedule.parse("@every five", null)).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> CronSchedule.parse("@fortnightly", null))
                .hasMessage("unrecognized descriptor: @fortnightly");
        assertThatThrownBy(() -> CronSchedule.parse("* * * *", null)).hasMessage("expected exactly 5 fields, found 4: [* * * *]");
        assertThatThrownBy(() -> CronSchedule.parse("* * * *", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * * *", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CronSchedule.parse("", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CronSchedule.parse("@daily", "Mars/Olympus")).hasMessage("unknown time zone Mars/Olympus");
        assertThatThrownBy(() -> CronSchedule.parse("@daily", "+02:00")).isInstanceOf(IllegalArgumentException.class);
    }
}
