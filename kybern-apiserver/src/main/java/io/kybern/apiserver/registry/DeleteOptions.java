package io.kybern.apiserver.registry;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a client asked of one deletion ({@code meta/v1 DeleteOptions}).
 *
 * @param resourceVersion   delete only if the object is still at this version
 * @param uid               delete only if the object still has this uid (not a new one of the same name)
 * @param gracePeriodSeconds how long a running pod gets to stop; empty for its own setting, 0 for now
 * @param propagationPolicy Orphan, Background or Foreground; empty for the kind's default
 * @param dryRun            check everything, change nothing
 */
public record DeleteOptions(Optional<String> resourceVersion, Optional<String> uid, OptionalLong gracePeriodSeconds,
        Optional<String> propagationPolicy, boolean dryRun) {

    public static final DeleteOptions NONE = new DeleteOptions(Optional.empty(), Optional.empty(),
            OptionalLong.empty(), Optional.empty(), false);

    public static DeleteOptions precondition(String resourceVersion) {
        return new DeleteOptions(Optional.of(resourceVersion), Optional.empty(), OptionalLong.empty(),
                Optional.empty(), false);
    }

    public DeleteOptions withDryRun(boolean dryRun) {
        return new DeleteOptions(resourceVersion, uid, gracePeriodSeconds, propagationPolicy, dryRun);
    }
}
