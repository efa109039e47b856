package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kubectl get} printing the server's Tables: the columns and cells Kubernetes prints for
 * namespaces, config maps and secrets, wide output, sorting and watching.
 *
 * <p>Lines are compared as their whitespace-separated words, since column widths depend on the
 * longest cell; ages are checked against the shape of a just-created object's age.
 */
class KubectlGetTest extends ServerPerClass {

    /** The age of an object created during the test run: seconds, or a few minutes on a slow machine. */
    private static final String RECENT_AGE = "\\d+s|\\d+m(\\d+s)?";

    private static List<List<String>> rows(String stdout) {
        return stdout.lines().filter(line -> !line.isBlank()).map(KubectlGetTest::words).toList();
    }

    private static List<String> words(String line) {
        return Arrays.asList(line.strip().split("\\s+"));
    }

    private static void create(Kubectl kubectl, String manifest) throws Exception {
        Kubectl.Result created = kubectl.runWithInput(manifest, "create", "--validate=false", "-f", "-");
        assertThat(created.exitCode()).as(created.toString()).isZero();
    }

    private static String configMap(String name, String label, int keys) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            data.append("  key").append(i).append(": value").append(i).append('\n');
        }
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                  labels:
                    test: %s
                data:
                %s""".formatted(name, label, data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void namespacesPrintStatusAndAge(String minor) throws Exception {
        Kubectl.Result result = kubectl(minor).run("get", "namespaces");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<List<String>> rows = rows(result.stdout());
        assertThat(rows.getFirst()).containsExactly("NAME", "STATUS", "AGE");
        List<String> defaultRow = rows.stream().filter(r -> r.getFirst().equals("default")).findFirst().orElseThrow();
        assertThat(defaultRow).hasSize(3);
        assertThat(defaultRow.get(1)).isEqualTo("Active");
        assertThat(defaultRow.get(2)).matches(RECENT_AGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void namespacesSortByName(String minor) throws Exception {
        Kubectl.Result result = kubectl(minor).run("get", "ns", "--sort-by=.metadata.name");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> names = rows(result.stdout()).stream().skip(1).map(List::getFirst).toList();
        assertThat(names).as(result.toString()).containsSubsequence("default", "kube-node-lease", "kube-public", "kube-system");
        assertThat(names).isSorted();
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void configMapsPrintTheirDataCounts(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String label = "counts-" + minor;
        create(kubectl, configMap("one-" + minor, label, 1));
        create(kubectl, configMap("three-" + minor, label, 3));

        Kubectl.Result result = kubectl.run("get", "cm", "-l", "test=" + label);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<List<String>> rows = rows(result.stdout());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).containsExactly("NAME", "DATA", "AGE");
        assertThat(rows.get(1).subList(0, 2)).containsExactly("one-" + minor, "1");
        assertThat(rows.get(1).get(2)).matches(RECENT_AGE);
        assertThat(rows.get(2).subList(0, 2)).containsExactly("three-" + minor, "3");

        // Config maps have no wide columns: -o wide prints the same table.
        Kubectl.Result wide = kubectl.run("get", "cm", "-l", "test=" + label, "-o", "wide");
        assertThat(wide.exitCode()).as(wide.toString()).isZero();
        List<List<String>> wideRows = rows(wide.stdout());
        assertThat(wideRows.get(0)).containsExactly("NAME", "DATA", "AGE");
        assertThat(wideRows.get(2).subList(0, 2)).containsExactly("three-" + minor, "3");

        // One object by name is a one-row table.
        Kubectl.Result single = kubectl.run("get", "cm", "three-" + minor);
        List<List<String>> singleRows = rows(single.stdout());
        assertThat(singleRows).hasSize(2);
        assertThat(singleRows.get(1).subList(0, 2)).containsExactly("three-" + minor, "3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void secretsPrintTheirType(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        create(kubectl, """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: credentials-%s
                  labels:
                    test: secrets-%s
                type: kubernetes.io/basic-auth
                data:
                  username: YWRtaW4=
                  password: c2VjcmV0
                """.formatted(minor, minor));

        Kubectl.Result result = kubectl.run("get", "secrets", "-l", "test=secrets-" + minor);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<List<String>> rows = rows(result.stdout());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactly("NAME", "TYPE", "DATA", "AGE");
        assertThat(rows.get(1).subList(0, 3)).containsExactly("credentials-" + minor, "kubernetes.io/basic-auth", "2");
        assertThat(rows.get(1).get(3)).matches(RECENT_AGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void watchingConfigMapsPrintsTheHeaderAndNewRows(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String label = "watch-" + minor;
        create(kubectl, configMap("before-" + minor, label, 2));
        Process watch = kubectl.start("get", "cm", "-l", "test=" + label, "-w");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(),
                    StandardCharsets.UTF_8));
            List<List<String>> seen = new ArrayList<>();
            seen.add(words(out.readLine()));
            seen.add(words(out.readLine()));
            create(kubectl, configMap("after-" + minor, label, 1));
            seen.add(words(out.readLine()));

            assertThat(seen.get(0)).containsExactly("NAME", "DATA", "AGE");
            assertThat(seen.get(1).subList(0, 2)).containsExactly("before-" + minor, "2");
            assertThat(seen.get(2).subList(0, 2)).containsExactly("after-" + minor, "1");
            assertThat(seen.get(2)).hasSize(3);
            assertThat(seen.get(2).get(2)).matches(RECENT_AGE);
        } finally {
            watch.destroy();
            watch.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void deploymentsShowTheirTemplateWithWide(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        create(kubectl, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web-%s
                  labels:
                    test: deploy-%s
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app: web
                  template:
                    metadata:
                      labels:
                        app: web
                    spec:
                      containers:
                      - name: nginx
                        image: nginx:1.27
                      - name: log
                        image: busybox
                """.formatted(minor, minor));

        // The Deployment controller makes its ReplicaSet, whose pods exist but stay Pending (no nodes here).
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> kubectl.run("get", "deployment", "web-" + minor,
                "-o", "jsonpath={.status.updatedReplicas}").stdout().equals("2"));
        Kubectl.Result normal = kubectl.run("get", "deployments", "-l", "test=deploy-" + minor);
        Kubectl.Result wide = kubectl.run("get", "deployments", "-l", "test=deploy-" + minor, "-o", "wide");

        assertThat(normal.exitCode()).as(normal.toString()).isZero();
        List<List<String>> rows = rows(normal.stdout());
        assertThat(rows.get(0)).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
        // Both pods are of the current template (up to date), none is ready or available.
        assertThat(rows.get(1).subList(0, 4)).containsExactly("web-" + minor, "0/2", "2", "0");
        assertThat(wide.exitCode()).as(wide.toString()).isZero();
        List<List<String>> wideRows = rows(wide.stdout());
        assertThat(wideRows.get(0)).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS",
                "IMAGES", "SELECTOR");
        assertThat(wideRows.get(1).subList(4, 8)).containsExactly(wideRows.get(1).get(4), "nginx,log",
                "nginx:1.27,busybox", "app=web");
        assertThat(wideRows.get(1).get(4)).matches(RECENT_AGE);
    }
}
