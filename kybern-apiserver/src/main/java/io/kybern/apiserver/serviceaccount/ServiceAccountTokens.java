package io.kybern.apiserver.serviceaccount;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kybern.apiserver.http.UserInfo;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Service account tokens as Kubernetes makes them: ES256 JWTs from this cluster's issuer, naming the
 * account (and the object the token is bound to) by name and uid, so a token dies with its account even
 * before it expires. {@link #verify} checks signature, issuer, audience and time; whether the account
 * still exists is the caller's check ({@link ServiceAccountAuthenticator}).
 *
 * <p>A token's signature is checked once: an agent sends the same token with every request, and checking its
 * ES256 signature again was about a third of the API server's request-handling samples (JFR) during a burst
 * of pod starts on a joined node. What a token says never changes, so the tokens already checked are
 * remembered (by a digest, until they expire, at most {@link #CHECKED_LIMIT} of them); the time checks are
 * made at every use, so a remembered token still expires on time. Unlike kube-apiserver's token cache, whose
 * answers stand for ten seconds, nothing that can change is remembered here: a deleted account's tokens stop
 * working as soon as the watch cache has seen the deletion.
 *
 * <p>Holds the key and the checked tokens; safe from any thread.
 */
public final class ServiceAccountTokens {

    /** The issuer and default audience of kube-apiserver's tokens, which clients expect. */
    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    public static final List<String> API_AUDIENCES = List.of(ISSUER, "k3s");
    private static final String KUBERNETES_CLAIM = "kubernetes.io";

    /** How many checked tokens are remembered at most; beyond, tokens are checked every time. */
    static final int CHECKED_LIMIT = 4096;

    private final KeyPair key;
    private final InstantSource clock;
    private final int checkedLimit;
    /** Tokens whose signature and claims were checked, by the SHA-256 of the token. */
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    /** What a correctly signed token of ours says, and from when it may be used. */
    private record Checked(Claims claims, Instant notBefore) {

        boolean validAt(Instant now) {
            return now.isBefore(claims.expires()) && (notBefore == null || !now.isBefore(notBefore));
        }
    }

    public ServiceAccountTokens(KeyPair key, InstantSource clock) {
        this(key, clock, CHECKED_LIMIT);
    }

    ServiceAccountTokens(KeyPair key, InstantSource clock, int checkedLimit) {
        this.key = key;
        this.clock = clock;
        this.checkedLimit = checkedLimit;
    }

    /** The object a token is bound to: a Pod, Secret or Node, which must exist for the token to work. */
    public record BoundObject(String kind, String name, String uid) {
    }

    /** What a valid token says. */
    public record Claims(String namespace, String serviceAccount, String serviceAccountUid,
            Optional<BoundObject> boundObject, List<String> audiences, Instant expires) {

        public UserInfo user() {
            return new UserInfo("system:serviceaccount:" + namespace + ":" + serviceAccount,
                    List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"));
        }
    }

    public record Issued(String token, Instant expires) {
    }

    public Issued issue(String namespace, String serviceAccount, String serviceAccountUid, List<String> audiences,
            long expirationSeconds, Optional<BoundObject> bound) {
        Instant now = clock.instant();
        Instant expires = now.plusSeconds(expirationSeconds);
        Map<String, Object> account = Map.of("name", serviceAccount, "uid", serviceAccountUid);
        java.util.LinkedHashMap<String, Object> kubernetes = new java.util.LinkedHashMap<>();
        kubernetes.put("namespace", namespace);
        kubernetes.put("serviceaccount", account);
        bound.ifPresent(object -> kubernetes.put(object.kind().toLowerCase(java.util.Locale.ROOT),
                Map.of("name", object.name(), "uid", object.uid())));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .audience(audiences)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString())
                .claim(KUBERNETES_CLAIM, kubernetes)
                .build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keyId()).build(), claims);
            jwt.sign(new ECDSASigner((ECPrivateKey) key.getPrivate()));
            return new Issued(jwt.serialize(), expires.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a service account token", e);
        }
    }

    /** The claims of a token this cluster issued that is valid now for the API; empty for any other. */
    public Optional<Claims> verify(String token) {
        Instant now = clock.instant();
        String digest = digest(token);
        Checked known = checked.get(digest);
        if (known == null) {
            known = check(token);
            if (known == null) {
                return Optional.empty();
            }
            if (now.isBefore(known.claims().expires())) {
                remember(digest, known, now);
            }
        }
        return known.validAt(now) ? Optional.of(known.claims()) : Optional.empty();
    }

    private void remember(String digest, Checked known, Instant now) {
        if (checked.size() >= checkedLimit) {
            checked.values().removeIf(entry -> !now.isBefore(entry.claims().expires()));
        }
        if (checked.size() < checkedLimit) {
            checked.put(digest, known);
        }
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A token's signature and its claims but time; null unless this cluster signed it for the API. */
    private Checked check(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())
                    || !jwt.verify(new ECDSAVerifier((ECPublicKey) key.getPublic()))) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!ISSUER.equals(claims.getIssuer()) || claims.getExpirationTime() == null
                    || claims.getAudience().stream().noneMatch(API_AUDIENCES::contains)) {
                return null;
            }
            Map<String, Object> kubernetes = claims.getJSONObjectClaim(KUBERNETES_CLAIM);
            if (kubernetes == null || !(kubernetes.get("serviceaccount") instanceof Map<?, ?> account)) {
                return null;
            }
            Optional<BoundObject> bound = Optional.empty();
            for (String kind : List.of("pod", "secret", "node")) {
                if (kubernetes.get(kind) instanceof Map<?, ?> object) {
                    bound = Optional.of(new BoundObject(kind.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                            + kind.substring(1), String.valueOf(object.get("name")), String.valueOf(object.get("uid"))));
                }
            }
            return new Checked(new Claims(String.valueOf(kubernetes.get("namespace")),
                    String.valueOf(account.get("name")), String.valueOf(account.get("uid")), bound,
                    claims.getAudience(), claims.getExpirationTime().toInstant()),
                    claims.getNotBeforeTime() == null ? null : claims.getNotBeforeTime().toInstant());
        } catch (ParseException | JOSEException | ClassCastException e) {
            return null;
        }
    }

    /** A stable id of the signing key, so verifiers holding several keys can pick the right one. */
    private String keyId() {
        try {
            return new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                    (ECPublicKey) key.getPublic()).build().computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
