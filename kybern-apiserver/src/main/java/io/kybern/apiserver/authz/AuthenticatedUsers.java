package io.kybern.apiserver.authz;

import io.kybern.apiserver.http.UserInfo;
import java.util.List;

/**
 * Allows every authenticated user everything: the server's policy until RBAC arrives, stated here
 * rather than hidden as an absent check. {@code system:masters} keeps this power under RBAC too.
 */
public final class AuthenticatedUsers implements Authorizer {

    @Override
    public Decision authorize(UserInfo user, Attributes attributes) {
        if (!user.authenticated()) {
            return Decision.deny("");
        }
        return Decision.allow("");
    }

    @Override
    public Rules rules(UserInfo user, String namespace) {
        if (!user.authenticated()) {
            return new Rules(List.of(), List.of(), false);
        }
        return new Rules(List.of(new ResourceRule(List.of("*"), List.of("*"), List.of("*"), List.of())),
                List.of(new NonResourceRule(List.of("*"), List.of("*"))), false);
    }
}
