package io.kybern.apiserver.authz;

import io.kybern.apiserver.http.UserInfo;
import java.util.List;

/**
 * Decides whether a user may do something. Called on request threads; implementations must be safe
 * from any thread and must not block for long (RBAC answers from its informer caches).
 */
public interface Authorizer {

    Decision authorize(UserInfo user, Attributes attributes);

    /** What the user may do in a namespace, for {@code SelfSubjectRulesReview} ({@code kubectl auth can-i --list}). */
    Rules rules(UserInfo user, String namespace);

    /** Rules as {@code SelfSubjectRulesReview} reports them. */
    record Rules(List<ResourceRule> resourceRules, List<NonResourceRule> nonResourceRules, boolean incomplete) {
    }

    record ResourceRule(List<String> verbs, List<String> apiGroups, List<String> resources,
            List<String> resourceNames) {
    }

    record NonResourceRule(List<String> verbs, List<String> nonResourceURLs) {
    }
}
