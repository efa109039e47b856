package io.kybern.store.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;

import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sorts the failures jetcd reports into the few kinds the Store contract distinguishes.
 *
 * <p>etcd reports its errors as gRPC statuses whose descriptions are stable strings (etcd's
 * {@code rpctypes} package), and jetcd passes them on either as raw gRPC exceptions or as its own
 * {@link EtcdException}. The descriptions, not the status codes, tell the kinds apart: a compacted and a
 * future revision are both {@code OUT_OF_RANGE}.
 */
final class EtcdErrors {

    enum Kind { COMPACTED, FUTURE_REVISION, LEASE_NOT_FOUND, UNAVAILABLE, OTHER }

    /** What went wrong, with etcd's own words for the message. */
    record Failure(Kind kind, String message) {
    }

    private EtcdErrors() {
    }

    static Failure classify(Throwable error) {
        String message = null;
        String code = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof EtcdException e) {
                code = e.getErrorCode().name();
                message = e.getMessage();
                break;
            }
            if (t instanceof RejectedExecutionException || t instanceof CancellationException) {
                // jetcd's executors refuse work once the client is closing.
                return new Failure(Kind.UNAVAILABLE, "the etcd client is closed");
            }
        }
        if (code == null) {
            Status status = Status.fromThrowable(error);
            code = status.getCode().name();
            message = status.getDescription() != null ? status.getDescription() : String.valueOf(error);
        }
        if (message == null) {
            message = code;
        }
        return new Failure(kindOf(code, message), message);
    }

    private static Kind kindOf(String code, String message) {
        if (message.contains("required revision has been compacted")) {
            return Kind.COMPACTED;
        }
        if (message.contains("required revision is a future revision")) {
            return Kind.FUTURE_REVISION;
        }
        if (message.contains("requested lease not found")) {
            return Kind.LEASE_NOT_FOUND;
        }
        if (message.contains("database space exceeded")) {
            // The NOSPACE alarm: etcd refuses writes until someone compacts, defragments and disarms it.
            return Kind.UNAVAILABLE;
        }
        if (message.contains("channel closed") || message.contains("Connection closed")
                || message.contains("GOAWAY")) {
            // The connection itself went (etcd restarting, a network cut); gRPC reports that under
            // several codes, INTERNAL and UNKNOWN among them, depending on when in the stream it happens.
            return Kind.UNAVAILABLE;
        }
        return switch (code) {
            case "UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "ABORTED" -> Kind.UNAVAILABLE;
            default -> Kind.OTHER;
        };
    }

    /** The compaction point etcd reported, or 0 when the error did not carry it. */
    static long compactRevision(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof io.etcd.jetcd.common.exception.CompactedException e) {
                return e.getCompactedRevision();
            }
        }
        return 0;
    }
}
