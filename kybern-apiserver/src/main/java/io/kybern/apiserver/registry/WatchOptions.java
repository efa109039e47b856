package io.kybern.apiserver.registry;

import io.kybern.apiserver.status.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a watch request asked for ({@code meta/v1 ListOptions} as a watch reads them).
 *
 * @param resourceVersion      where to start: "" or "0" for the current state, else after this version
 * @param sendInitialEvents    null when not asked; true to begin with the current objects and a bookmark
 *                             marking their end (the watch-list protocol), false to send only changes
 * @param allowWatchBookmarks  whether the client takes BOOKMARK events
 * @param timeout              when the server ends the watch
 */
public record WatchOptions(String resourceVersion, Boolean sendInitialEvents, boolean allowWatchBookmarks,
        Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    /** Reads and checks the query, with Kubernetes' rules for how its parameters combine. */
    public static WatchOptions from(Function<String, String> query) {
        String resourceVersion = orEmpty(query.apply("resourceVersion"));
        String match = orEmpty(query.apply("resourceVersionMatch"));
        String initial = orEmpty(query.apply("sendInitialEvents"));
        boolean bookmarks = "true".equals(query.apply("allowWatchBookmarks"));
        Boolean sendInitialEvents = initial.isEmpty() ? null : Boolean.valueOf(initial.equals("true"));
        List<ApiException.Cause> causes = new ArrayList<>();
        if (sendInitialEvents != null) {
            if (!match.equals("NotOlderThan")) {
                causes.add(new ApiException.Cause("FieldValueForbidden", "Forbidden: sendInitialEvents requires "
                        + "setting resourceVersionMatch to NotOlderThan", "resourceVersionMatch"));
            }
            if (sendInitialEvents && !bookmarks) {
                causes.add(new ApiException.Cause("FieldValueRequired", "Required value: sendInitialEvents "
                        + "requires setting allowWatchBookmarks to true", "allowWatchBookmarks"));
            }
        } else if (!match.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden "
                    + "for watch unless sendInitialEvents is provided", "resourceVersionMatch"));
        }
        if (!causes.isEmpty()) {
            throw ApiException.invalid("ListOptions", "meta.k8s.io", "", causes);
        }
        String seconds = orEmpty(query.apply("timeoutSeconds"));
        Duration timeout = DEFAULT_TIMEOUT;
        if (!seconds.isEmpty()) {
            try {
                long value = Long.parseLong(seconds);
                if (value < 0) {
                    throw ApiException.badRequest("timeoutSeconds must not be negative");
                }
                if (value > 0) {
                    timeout = Duration.ofSeconds(value);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid timeoutSeconds: " + seconds);
            }
        }
        return new WatchOptions(resourceVersion, sendInitialEvents, bookmarks, timeout);
    }

    /** Whether the watch begins with the current objects. */
    boolean startsWithCurrentState() {
        if (sendInitialEvents != null) {
            return sendInitialEvents;
        }
        return resourceVersion.isEmpty() || resourceVersion.equals("0");
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
