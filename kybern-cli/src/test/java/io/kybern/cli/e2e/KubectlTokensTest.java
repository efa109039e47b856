package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kubectl create token} and the token at work: a kubeconfig with only the token authenticates as
 * the service account, and stops working when the account is deleted.
 */
class KubectlTokensTest extends ServerPerClass {

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void aServiceAccountTokenAuthenticatesUntilItsAccountIsGone(String minor) throws Exception {
        Kubectl admin = Kubectl.version(minor, server.kubeconfig());
        String account = "builder-" + minor;
        Kubectl.Result created = admin.runWithInput("""
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: %s}
                """.formatted(account), "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();

        Kubectl.Result issued = admin.run("create", "token", account, "--duration=15m");
        assertThat(issued.exitCode()).as(issued.toString()).isZero();
        String token = issued.stdout().strip();
        assertThat(token.split("\\.")).hasSize(3);

        Path tokenConfig = dataDir.resolve("token-" + minor + ".kubeconfig");
        StringBuilder config = new StringBuilder();
        for (String line : Files.readAllLines(server.kubeconfig())) {
            if (line.strip().startsWith("client-certificate-data:")) {
                config.append(line, 0, line.indexOf("client-certificate-data:")).append("token: ").append(token)
                        .append('\n');
            } else if (!line.strip().startsWith("client-key-data:")) {
                config.append(line).append('\n');
            }
        }
        Files.writeString(tokenConfig, config);
        Kubectl asAccount = Kubectl.version(minor, tokenConfig);

        Kubectl.Result review = asAccount.runWithInput("""
                {"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}
                """, "create", "--raw", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "-f", "-");
        assertThat(review.stdout()).as(review.toString())
                .contains("\"username\":\"system:serviceaccount:default:" + account + "\"")
                .contains("\"system:serviceaccounts:default\"");
        assertThat(asAccount.run("get", "configmaps").exitCode()).isZero();

        assertThat(admin.run("delete", "serviceaccount", account).exitCode()).isZero();
        // The server reads the account from its watch cache, as kube-apiserver from its informer: the token
        // stops working once the cache has seen the deletion, a moment after the delete was acknowledged.
        Kubectl.Result refused = await().atMost(Duration.ofSeconds(10))
                .until(() -> asAccount.run("get", "configmaps"), result -> result.exitCode() != 0);
        assertThat(refused.stderr()).contains("Unauthorized");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void tokensTooShortLivedOrForMissingAccountsAreRefused(String minor) throws Exception {
        Kubectl admin = Kubectl.version(minor, server.kubeconfig());

        Kubectl.Result missing = admin.run("create", "token", "nobody-" + minor);
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("serviceaccounts \"nobody-" + minor + "\" not found");

        admin.runWithInput("{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"brief-" + minor
                + "\"}}", "create", "--validate=false", "-f", "-");
        Kubectl.Result brief = admin.run("create", "token", "brief-" + minor, "--duration=1m");
        assertThat(brief.exitCode()).isNotZero();
        assertThat(brief.stderr()).contains("spec.expirationSeconds: Invalid value: 60: may not specify a duration "
                + "less than 10 minutes");
    }
}
