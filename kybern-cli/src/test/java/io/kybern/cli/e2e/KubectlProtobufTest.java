package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kubectl's typed {@code create} subcommands. kubectl 1.32 and 1.33 send their bodies in Kubernetes
 * protobuf (and read the answer in protobuf); 1.27 and 1.31 send JSON. Each command prints kubectl's
 * success line, each object is stored as the command describes it, whichever encoding carried it, and
 * {@code kubectl get} prints each kind with the columns Kubernetes gives it.
 */
class KubectlProtobufTest extends ServerPerClass {

    private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
    /** The age of an object created during the test run: seconds, or a few minutes on a slow machine. */
    private static final String AGE = "\\d+s|\\d+m(\\d+s)?";

    private static String ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout();
    }

    /** kubectl's line for a created object, as it prints it against Kubernetes. */
    private static void created(Kubectl.Result result, String what) {
        assertThat(ok(result)).isEqualTo(what + " created\n");
    }

    @Test
    void kubectl133SendsAndReadsProtobuf() throws Exception {
        Kubectl.Result created = kubectl("33").run("create", "configmap", "wire-check", "--from-literal=a=b", "-v=8");

        assertThat(created.stdout().strip()).as(created.toString()).isEqualTo("configmap/wire-check created");
        // The request's and the response's Content-Type, as kubectl logs them: the codec was exercised.
        assertThat(created.stderr()).containsPattern("(?s)verb=\"POST\".*Content-Type: " + PROTOBUF
                + ".*status=\"201 Created\".*Content-Type: " + PROTOBUF);

        // The refusal comes back as a protobuf Status, which kubectl reads like Kubernetes' own.
        Kubectl.Result again = kubectl("33").run("create", "configmap", "wire-check", "--from-literal=a=b", "-v=8");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).containsPattern("(?s)status=\"409 Conflict\".*Content-Type: " + PROTOBUF)
                .contains("error: failed to create configmap: configmaps \"wire-check\" already exists");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "32", "33"})
    void typedCreateCommandsStoreWhatTheyDescribe(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "typed-" + minor;
        created(kubectl.run("create", "namespace", ns), "namespace/" + ns);
        assertThat(ok(kubectl.run("get", "namespace", ns, "-o", "jsonpath={.status.phase}"))).isEqualTo("Active");

        created(kubectl.run("-n", ns, "create", "configmap", "settings", "--from-literal=color=blue",
                "--from-literal=size=3"), "configmap/settings");
        assertThat(ok(kubectl.run("-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data}")))
                .isEqualTo("{\"color\":\"blue\",\"size\":\"3\"}");

        created(kubectl.run("-n", ns, "create", "secret", "generic", "password", "--from-literal=pw=hunter2"),
                "secret/password");
        assertThat(ok(kubectl.run("-n", ns, "get", "secret", "password", "-o", "jsonpath={.data.pw}")))
                .isEqualTo("aHVudGVyMg==");

        // A replica count of zero is a set pointer, not an absent field.
        created(kubectl.run("-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=0",
                "--port=8080"), "deployment.apps/web");
        assertThat(ok(kubectl.run("-n", ns, "get", "deployment", "web", "-o", "yaml")))
                .contains("replicas: 0", "image: nginx:1.27", "containerPort: 8080", "app: web")
                .doesNotContain("minReadySeconds", "generateName");

        created(kubectl.run("-n", ns, "create", "service", "clusterip", "web", "--tcp=80:8080"), "service/web");
        assertThat(ok(kubectl.run("-n", ns, "get", "service", "web", "-o",
                "jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].protocol}")))
                .isEqualTo("ClusterIP 80 8080 TCP");

        created(kubectl.run("-n", ns, "create", "job", "once", "--image=busybox", "--", "echo", "hi"),
                "job.batch/once");
        assertThat(ok(kubectl.run("-n", ns, "get", "job", "once", "-o",
                "jsonpath={.spec.template.spec.containers[0].command} {.spec.template.spec.restartPolicy}")))
                .isEqualTo("[\"echo\",\"hi\"] Never");

        // A schedule that cannot come during the test (midnight on February 29th): a Job it started would add a pod
        // to the quota counted below and an active Job to the table.
        created(kubectl.run("-n", ns, "create", "cronjob", "leap", "--image=busybox", "--schedule=0 0 29 2 *",
                "--", "date"), "cronjob.batch/leap");
        assertThat(ok(kubectl.run("-n", ns, "get", "cronjob", "leap", "-o",
                "jsonpath={.spec.schedule} {.spec.jobTemplate.spec.template.spec.restartPolicy}")))
                .isEqualTo("0 0 29 2 * OnFailure");

        created(kubectl.run("-n", ns, "create", "role", "reader", "--verb=get,list", "--resource=pods"),
                "role.rbac.authorization.k8s.io/reader");
        assertThat(ok(kubectl.run("-n", ns, "get", "role", "reader", "-o", "jsonpath={.rules[0].verbs}")))
                .isEqualTo("[\"get\",\"list\"]");
        created(kubectl.run("-n", ns, "create", "rolebinding", "reader", "--role=reader", "--user=bob"),
                "rolebinding.rbac.authorization.k8s.io/reader");
        assertThat(ok(kubectl.run("-n", ns, "get", "rolebinding", "reader", "-o",
                "jsonpath={.roleRef.kind}/{.roleRef.name} {.subjects[0].kind}/{.subjects[0].name}")))
                .isEqualTo("Role/reader User/bob");
        created(kubectl.run("create", "clusterrole", "node-reader-" + minor, "--verb=get", "--resource=nodes"),
                "clusterrole.rbac.authorization.k8s.io/node-reader-" + minor);
        assertThat(ok(kubectl.run("get", "clusterrole", "node-reader-" + minor, "-o",
                "jsonpath={.rules[0].resources}"))).isEqualTo("[\"nodes\"]");

        created(kubectl.run("-n", ns, "create", "quota", "limits", "--hard=pods=10,cpu=2,memory=1Gi"),
                "resourcequota/limits");
        assertThat(ok(kubectl.run("-n", ns, "get", "quota", "limits", "-o", "jsonpath={.spec.hard}")))
                .isEqualTo("{\"cpu\":\"2\",\"memory\":\"1Gi\",\"pods\":\"10\"}");

        created(kubectl.run("create", "priorityclass", "high-" + minor, "--value=1000", "--description=important"),
                "priorityclass.scheduling.k8s.io/high-" + minor);
        assertThat(ok(kubectl.run("get", "priorityclass", "high-" + minor, "-o",
                "jsonpath={.value} {.description}"))).isEqualTo("1000 important");

        created(kubectl.run("-n", ns, "create", "poddisruptionbudget", "web", "--selector=app=web",
                "--min-available=50%"), "poddisruptionbudget.policy/web");
        assertThat(ok(kubectl.run("-n", ns, "get", "pdb", "web", "-o",
                "jsonpath={.spec.minAvailable} {.spec.selector.matchLabels.app}"))).isEqualTo("50% web");

        created(kubectl.run("-n", ns, "create", "ingress", "web", "--rule=example.com/shop*=web:80"),
                "ingress.networking.k8s.io/web");
        assertThat(ok(kubectl.run("-n", ns, "get", "ingress", "web", "-o",
                "jsonpath={.spec.rules[0].host} {.spec.rules[0].http.paths[0].path} "
                        + "{.spec.rules[0].http.paths[0].pathType} "
                        + "{.spec.rules[0].http.paths[0].backend.service.port.number}")))
                .isEqualTo("example.com /shop Prefix 80");

        // The quota controller counts the Job's pod (Pending for want of nodes) against the quota.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ok(kubectl.run("-n", ns, "get",
                "quota", "limits", "-o", "jsonpath={.status.used.pods}"))).isEqualTo("1"));

        // Each kind prints the columns Kubernetes' printers give it, one table per kind.
        List<String> tables = ok(kubectl.run("-n", ns, "get",
                "quota,pdb,ingress,jobs,cronjobs,roles,rolebindings")).lines()
                .map(line -> line.strip().replaceAll("\\s{2,}", " | ")).toList();
        assertThat(tables).contains("NAME | REQUEST | LIMIT | AGE",
                "NAME | MIN AVAILABLE | MAX UNAVAILABLE | ALLOWED DISRUPTIONS | AGE",
                "NAME | CLASS | HOSTS | ADDRESS | PORTS | AGE",
                "NAME | STATUS | COMPLETIONS | DURATION | AGE",
                "NAME | SCHEDULE | TIMEZONE | SUSPEND | ACTIVE | LAST SCHEDULE | AGE",
                "NAME | CREATED AT",
                "NAME | ROLE | AGE");
        assertThat(tables).anySatisfy(row -> assertThat(row)
                .matches("resourcequota/limits \\| cpu: 0/2, memory: 0/1Gi, pods: 1/10 \\| (" + AGE + ")"));
        assertThat(tables).anySatisfy(row -> assertThat(row)
                .matches("poddisruptionbudget.policy/web \\| 50% \\| N/A \\| 0 \\| (" + AGE + ")"));
        assertThat(tables).anySatisfy(row -> assertThat(row)
                .matches("cronjob.batch/leap \\| 0 0 29 2 \\* \\| <none> \\| False \\| 0 \\| <none> "
                        + "\\| (" + AGE + ")"));
        assertThat(tables).anySatisfy(row -> assertThat(row)
                .matches("rolebinding.rbac.authorization.k8s.io/reader \\| Role/reader \\| (" + AGE + ")"));
    }
}
