package io.kybern.api.table;

import java.time.Instant;

/**
 * The table of kinds without a printer of their own, as Kubernetes' default table convertor builds it:
 * the name, and the creation time as an RFC 3339 date rather than an age.
 */
final class DefaultPrinter {

    private DefaultPrinter() {
    }

    static ObjectPrinter create() {
        return ObjectPrinter.builder()
                .column(new TableColumn("Created At", "date", "", TableColumn.CREATION_DESCRIPTION, 0),
                        o -> {
                            Instant created = PrintedObject.timestamp(o.path("metadata", "creationTimestamp"));
                            return created == null ? null : created.toString();
                        })
                .build();
    }
}
