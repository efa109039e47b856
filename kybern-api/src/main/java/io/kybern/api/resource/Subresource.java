package io.kybern.api.resource;

import java.util.Set;

/**
 * A subresource such as {@code status}, {@code scale} or {@code log}.
 *
 * @param name  the last URL segment
 * @param kind  the kind it reads and writes (for example {@code Scale} in group {@code autoscaling})
 * @param verbs the verbs it supports
 */
public record Subresource(String name, GroupVersionKind kind, Set<String> verbs) {

    public Subresource {
        verbs = Set.copyOf(verbs);
    }
}
