package io.kybern.apiserver.authz;

/** An authorizer's answer; {@code reason} says why, for reviews and for the 403 message. */
public record Decision(boolean allowed, String reason) {

    public static Decision allow(String reason) {
        return new Decision(true, reason);
    }

    public static Decision deny(String reason) {
        return new Decision(false, reason);
    }
}
