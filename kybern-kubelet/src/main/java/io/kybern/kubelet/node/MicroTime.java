package io.kybern.kubelet.node;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Kubernetes' two timestamp formats: {@code Time} (seconds) and {@code MicroTime} (microseconds). */
public final class MicroTime {

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private MicroTime() {
    }

    /** A {@code MicroTime}, as Leases' renewTime and acquireTime are written. */
    public static String micro(Instant instant) {
        return MICROS.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    /** A {@code Time}, as conditions' and statuses' timestamps are written. */
    public static String seconds(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
