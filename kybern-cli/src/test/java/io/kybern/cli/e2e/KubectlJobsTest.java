package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Jobs and CronJobs as kubectl users meet them on simulated nodes: a Job of 8 completions, 2 at a time,
 * that {@code kubectl wait} sees complete and {@code kubectl get job} shows 8/8; a failing Job that ends
 * with BackoffLimitExceeded; a CronJob every minute whose Jobs appear as the test moves the server's
 * clock, and {@code kubectl create job --from=cronjob/...}.
 */
@TestServers.WithSimulatedNodes(2)
class KubectlJobsTest extends ServerPerClass {

    private static Kubectl.Result ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static List<String> columns(String line) {
        return Arrays.asList(line.trim().split("\\s{2,}"));
    }

    private static String job(String name, int completions, int parallelism, int backoffLimit, String exitCode) {
        return """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: %s
                spec:
                  completions: %d
                  parallelism: %d
                  backoffLimit: %d
                  template:
                    metadata:
                      annotations:
                        sim.kybern.io/exit-code: "%s"
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: work
                        image: busybox
                """.formatted(name, completions, parallelism, backoffLimit, exitCode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void aJobOfEightCompletionsTwoAtATimeCompletes(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String ns = "jobs-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(job("eight", 8, 2, 6, "0"), "apply", "-n", ns, "-f", "-"));

        ok(kubectl.run("wait", "-n", ns, "--for=condition=complete", "job/eight", "--timeout=60s"));

        List<String> lines = ok(kubectl.run("get", "job", "eight", "-n", ns)).stdout().lines().toList();
        assertThat(columns(lines.get(0))).containsExactly("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE");
        assertThat(columns(lines.get(1)).subList(0, 3)).containsExactly("eight", "Complete", "8/8");
        String phases = ok(kubectl.run("get", "pods", "-n", ns, "-l", "batch.kubernetes.io/job-name=eight", "-o",
                "jsonpath={range .items[*]}{.status.phase} {end}")).stdout();
        assertThat(phases.trim().split(" ")).hasSize(8).containsOnly("Succeeded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void aFailingJobEndsWithBackoffLimitExceeded(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String ns = "jobs-fail-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.runWithInput(job("doomed", 1, 1, 0, "1"), "apply", "-n", ns, "-f", "-"));

        ok(kubectl.run("wait", "-n", ns, "--for=condition=failed", "job/doomed", "--timeout=60s"));

        String reason = ok(kubectl.run("get", "job", "doomed", "-n", ns, "-o",
                "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}")).stdout();
        assertThat(reason).isEqualTo("BackoffLimitExceeded");
        List<String> lines = ok(kubectl.run("get", "job", "doomed", "-n", ns)).stdout().lines().toList();
        assertThat(columns(lines.get(1)).subList(0, 3)).containsExactly("doomed", "Failed", "0/1");
        String events = ok(kubectl.run("get", "events", "-n", ns, "--field-selector",
                "involvedObject.name=doomed,reason=BackoffLimitExceeded", "-o", "jsonpath={.items[*].type}")).stdout();
        assertThat(events).isEqualTo("Warning");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void aCronJobEveryMinuteStartsJobsAsTheClockMovesAndCanBeRunByHand(String minor) throws Exception {
        Kubectl kubectl = Kubectl.version(minor, server.kubeconfig());
        String ns = "cron-" + minor;
        ok(kubectl.run("create", "namespace", ns));
        ok(kubectl.run("create", "cronjob", "tick", "-n", ns, "--image=busybox", "--schedule=*/1 * * * *"));
        ok(kubectl.run("patch", "cronjob", "tick", "-n", ns, "-p",
                "{\"spec\":{\"successfulJobsHistoryLimit\":1,\"failedJobsHistoryLimit\":1}}"));

        List<String> lines = ok(kubectl.run("get", "cronjob", "tick", "-n", ns)).stdout().lines().toList();
        assertThat(columns(lines.get(1)).subList(0, 2)).containsExactly("tick", "*/1 * * * *");

        for (int minute = 0; minute < 2; minute++) {
            String before = ok(kubectl.run("get", "cronjob", "tick", "-n", ns, "-o",
                    "jsonpath={.status.lastScheduleTime}")).stdout();
            server.advance(clock, Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String after = ok(kubectl.run("get", "cronjob", "tick", "-n", ns, "-o",
                        "jsonpath={.status.lastScheduleTime}")).stdout();
                return !after.isEmpty() && !after.equals(before);
            });
        }
        // With a history limit of 1, one finished scheduled Job stays.
        await().atMost(Duration.ofSeconds(30)).until(() -> ok(kubectl.run("get", "jobs", "-n", ns, "-o",
                "jsonpath={range .items[?(@.status.succeeded==1)]}{.metadata.name} {end}")).stdout().trim()
                .matches("tick-\\d+"));

        // Suspended, and with room in its history: the clock moves on its own, and a scheduled Job that started in
        // the same second as the manual one sorts before it by start time and after it by name, so the history
        // limit of 1 would delete the manual one (as Kubernetes would).
        ok(kubectl.run("patch", "cronjob", "tick", "-n", ns, "-p",
                "{\"spec\":{\"suspend\":true,\"successfulJobsHistoryLimit\":5}}"));
        ok(kubectl.run("create", "job", "by-hand", "-n", ns, "--from=cronjob/tick"));
        ok(kubectl.run("wait", "-n", ns, "--for=condition=complete", "job/by-hand", "--timeout=60s"));
        String owner = ok(kubectl.run("get", "job", "by-hand", "-n", ns, "-o",
                "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}")).stdout();
        assertThat(owner).isEqualTo("CronJob/tick");
        ok(kubectl.run("delete", "cronjob", "tick", "-n", ns));
    }
}
