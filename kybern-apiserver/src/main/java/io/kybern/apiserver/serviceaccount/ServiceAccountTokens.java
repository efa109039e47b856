package io.kybern.apiserver.serviceaccount;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kybern.apiserver.http.UserInfo;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Service account tokens as Kubernetes makes them: ES256 JWTs from this cluster's issuer, naming the
 * account (and the object the token is bound to) by name and uid, so a token dies with its account even
 * before it expires. {@link #verify} checks signature, issuer, audience and time; whether the account
 * still exists is the caller's check, since it needs the store.
 *
 * <p>Stateless apart from the key; safe from any thread.
 */
public final class ServiceAccountTokens {

    /** The issuer and default audience of kube-apiserver's tokens, which clients expect. */
    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    public static final List<String> API_AUDIENCES = List.of(ISSUER, "k3s");
    private static final String KUBERNETES_CLAIM = "kubernetes.io";

    private final KeyPair key;
    private final InstantSource clock;

    public ServiceAccountTokens(KeyPair key, InstantSource clock) {
        this.key = key;
        this.clock = clock;
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
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())
                    || !jwt.verify(new ECDSAVerifier((ECPublicKey) key.getPublic()))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (!ISSUER.equals(claims.getIssuer()) || claims.getExpirationTime() == null
                    || !now.isBefore(claims.getExpirationTime().toInstant())
                    || (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant()))
                    || claims.getAudience().stream().noneMatch(API_AUDIENCES::contains)) {
                return Optional.empty();
            }
            Map<String, Object> kubernetes = claims.getJSONObjectClaim(KUBERNETES_CLAIM);
            if (kubernetes == null || !(kubernetes.get("serviceaccount") instanceof Map<?, ?> account)) {
                return Optional.empty();
            }
            Optional<BoundObject> bound = Optional.empty();
            for (String kind : List.of("pod", "secret", "node")) {
                if (kubernetes.get(kind) instanceof Map<?, ?> object) {
                    bound = Optional.of(new BoundObject(kind.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                            + kind.substring(1), String.valueOf(object.get("name")), String.valueOf(object.get("uid"))));
                }
            }
            return Optional.of(new Claims(String.valueOf(kubernetes.get("namespace")),
                    String.valueOf(account.get("name")), String.valueOf(account.get("uid")), bound,
                    claims.getAudience(), claims.getExpirationTime().toInstant()));
        } catch (ParseException | JOSEException | ClassCastException e) {
            return Optional.empty();
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
