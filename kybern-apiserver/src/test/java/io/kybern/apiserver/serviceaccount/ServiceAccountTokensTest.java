package io.kybern.apiserver.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.apiserver.pki.ServiceAccountKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceAccountTokensTest {

    @TempDir
    Path tlsDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    private final InstantSource clock = () -> now.get();

    @Test
    void aTokenNamesItsAccountAndBoundObjectUntilItExpires() throws Exception {
        ServiceAccountTokens tokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(tlsDir), clock);

        var issued = tokens.issue("team", "builder", "uid-1", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.of(new ServiceAccountTokens.BoundObject("Pod", "web-0", "pod-uid")));
        var claims = tokens.verify(issued.token()).orElseThrow();

        assertThat(issued.expires()).isEqualTo(Instant.parse("2026-11-23T11:00:00Z"));
        assertThat(claims.user().name()).isEqualTo("system:serviceaccount:team:builder");
        assertThat(claims.user().groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:team",
                "system:authenticated");
        assertThat(claims.serviceAccountUid()).isEqualTo("uid-1");
        assertThat(claims.boundObject()).contains(new ServiceAccountTokens.BoundObject("Pod", "web-0", "pod-uid"));

        now.set(now.get().plus(Duration.ofHours(1)));
        assertThat(tokens.verify(issued.token())).isEmpty();
    }

    @Test
    void aTokenCheckedBeforeIsStillRefusedBeforeItsStartAndFromItsExpiry() throws Exception {
        ServiceAccountTokens tokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(tlsDir), clock);
        Instant issuedAt = now.get();
        String token = tokens.issue("team", "builder", "uid-1", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.empty()).token();

        assertThat(tokens.verify(token)).isPresent();
        now.set(issuedAt.minusSeconds(1));
        assertThat(tokens.verify(token)).isEmpty();
        now.set(issuedAt.plusSeconds(3599));
        assertThat(tokens.verify(token)).isPresent();
        now.set(issuedAt.plusSeconds(3600));
        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void anAlteredCopyOfATokenCheckedBeforeIsRefused() throws Exception {
        ServiceAccountTokens tokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(tlsDir), clock);
        String good = tokens.issue("team", "builder", "uid-1", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.empty()).token();
        assertThat(tokens.verify(good)).isPresent();

        String[] parts = good.split("\\.");
        String altered = parts[1].replace(parts[1].substring(4, 8), "AAAA");
        assertThat(tokens.verify(parts[0] + "." + altered + "." + parts[2])).isEmpty();
        assertThat(tokens.verify(good + "x")).isEmpty();
        assertThat(tokens.verify(good)).isPresent();
    }

    @Test
    void tokensBeyondTheRememberedOnesAreCheckedEveryTime() throws Exception {
        ServiceAccountTokens tokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(tlsDir), clock, 3);
        Instant issuedAt = now.get();
        List<String> shortLived = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String token = tokens.issue("team", "a" + i, "uid-" + i, ServiceAccountTokens.API_AUDIENCES, 600,
                    Optional.empty()).token();
            assertThat(tokens.verify(token)).isPresent();
            shortLived.add(token);
        }
        String extra = tokens.issue("team", "extra", "uid-x", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.empty()).token();

        assertThat(tokens.verify(extra).orElseThrow().serviceAccount()).isEqualTo("extra");
        assertThat(tokens.verify(extra + "x")).isEmpty();
        now.set(issuedAt.plusSeconds(600));
        // The remembered ones expired: they are refused, and forgotten to make room.
        assertThat(tokens.verify(shortLived.get(0))).isEmpty();
        String later = tokens.issue("team", "later", "uid-l", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.empty()).token();
        assertThat(tokens.verify(later).orElseThrow().serviceAccount()).isEqualTo("later");
        now.set(issuedAt.plusSeconds(4200));
        assertThat(tokens.verify(later)).isEmpty();
        assertThat(tokens.verify(extra)).isEmpty();
    }

    @Test
    void tokensOfAnotherKeyOtherAudiencesOrAlteredOnesAreRefused() throws Exception {
        ServiceAccountTokens tokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(tlsDir), clock);
        ServiceAccountTokens stranger = new ServiceAccountTokens(
                ServiceAccountKey.loadOrCreate(tlsDir.resolve("other")), clock);

        String foreign = stranger.issue("team", "builder", "uid-1", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.empty()).token();
        String vault = tokens.issue("team", "builder", "uid-1", List.of("vault"), 3600, Optional.empty()).token();
        String good = tokens.issue("team", "builder", "uid-1", ServiceAccountTokens.API_AUDIENCES, 3600,
                Optional.empty()).token();
        String[] parts = good.split("\\.");
        String altered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

        assertThat(tokens.verify(foreign)).isEmpty();
        assertThat(tokens.verify(vault)).isEmpty();
        assertThat(tokens.verify(altered)).isEmpty();
        assertThat(tokens.verify("not-a-jwt")).isEmpty();
        assertThat(tokens.verify(good)).isPresent();
    }

    @Test
    void theSigningKeySurvivesRestartsAndItsPublicHalfIsRestored() throws Exception {
        KeyPair first = ServiceAccountKey.loadOrCreate(tlsDir);
        Files.delete(tlsDir.resolve("service-account.pub"));

        KeyPair again = ServiceAccountKey.loadOrCreate(tlsDir);

        assertThat(again.getPrivate().getEncoded()).isEqualTo(first.getPrivate().getEncoded());
        assertThat(again.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
        assertThat(tlsDir.resolve("service-account.pub")).exists();
        String token = new ServiceAccountTokens(first, clock).issue("a", "b", "c", ServiceAccountTokens.API_AUDIENCES,
                600, Optional.empty()).token();
        assertThat(new ServiceAccountTokens(again, clock).verify(token)).isPresent();
    }
}
