package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kubectl get} in each output format (table, wide, name, json, yaml, jsonpath, custom-columns)
 * over two namespaces at once ({@code -A}), narrowed by {@code -l} and {@code --field-selector} and
 * ordered by {@code --sort-by}, compared with what kubectl prints against Kubernetes.
 */
class KubectlOutputFormatsTest extends ServerPerClass {

    private static final String RECENT_AGE = "\\d+s|\\d+m(\\d+s)?";
    private static final String IPV4 = "\\d+\\.\\d+\\.\\d+\\.\\d+";

    private static String ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout();
    }

    private static List<List<String>> rows(String stdout) {
        return stdout.lines().filter(line -> !line.isBlank())
                .map(line -> Arrays.asList(line.strip().split("\\s+"))).toList();
    }

    /**
     * Two services labelled {@code test=<test>} in two namespaces, {@code <test>-a} and {@code <test>-b}: a
     * ClusterIP "web" in the first, a NodePort "edge" in the second.
     */
    private static String[] createServices(Kubectl kubectl, String test) throws Exception {
        String first = test + "-a";
        String second = test + "-b";
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %1$s
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %2$s
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: %1$s
                  labels: {test: %3$s}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: edge
                  namespace: %2$s
                  labels: {test: %3$s}
                spec:
                  type: NodePort
                  ports: [{port: 443, protocol: TCP}]
                """.formatted(first, second, test), "create", "-f", "-"));
        return new String[] {first, second};
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void tablesAcrossNamespacesWithLabelAndFieldSelectorsAndSorting(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String[] ns = createServices(kubectl, "tables-" + minor);
        String label = "test=tables-" + minor;

        List<List<String>> table = rows(ok(kubectl.run("get", "services", "-A", "-l", label)));
        assertThat(table).hasSize(3);
        assertThat(table.get(0)).containsExactly("NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)",
                "AGE");
        assertThat(table.get(1).subList(0, 3)).containsExactly(ns[0], "web", "ClusterIP");
        assertThat(table.get(1).get(3)).matches(IPV4);
        assertThat(table.get(1).subList(4, 6)).containsExactly("<none>", "80/TCP");
        assertThat(table.get(1).get(6)).matches(RECENT_AGE);
        assertThat(table.get(2).subList(0, 3)).containsExactly(ns[1], "edge", "NodePort");
        assertThat(table.get(2).get(5)).matches("443:3\\d{4}/TCP");

        List<List<String>> wide = rows(ok(kubectl.run("get", "services", "-A", "-l", label, "-o", "wide")));
        assertThat(wide.get(0)).containsExactly("NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)",
                "AGE", "SELECTOR");
        assertThat(wide.get(1).getLast()).isEqualTo("app=web");
        assertThat(wide.get(2).getLast()).isEqualTo("<none>");

        // Sorting by name puts the second namespace's "edge" first; by port, "web" (80) before it (443).
        assertThat(rows(ok(kubectl.run("get", "services", "-A", "-l", label, "--sort-by=.metadata.name")))
                .stream().skip(1).map(row -> row.get(1)).toList()).containsExactly("edge", "web");
        assertThat(rows(ok(kubectl.run("get", "services", "-A", "-l", label, "--sort-by=.spec.ports[0].port")))
                .stream().skip(1).map(row -> row.get(1)).toList()).containsExactly("web", "edge");

        assertThat(ok(kubectl.run("get", "services", "-A", "-l", label, "--field-selector", "metadata.name=edge",
                "-o", "name")))
                .isEqualTo("service/edge\n");
        assertThat(ok(kubectl.run("get", "services", "-n", ns[0], "--field-selector", "metadata.name!=web", "-o",
                "name"))).isEmpty();

        Kubectl.Result unsupported = kubectl.run("get", "services", "-A", "--field-selector", "spec.color=blue");
        assertThat(unsupported.exitCode()).isEqualTo(1);
        assertThat(unsupported.stderr()).contains("Error from server (BadRequest)")
                .contains("field label not supported: spec.color");

        Kubectl.Result none = kubectl.run("get", "services", "-n", ns[0], "-l", "test=nothing");
        assertThat(none.exitCode()).isZero();
        assertThat(none.stdout()).isEmpty();
        assertThat(none.stderr()).isEqualTo("No resources found in " + ns[0] + " namespace.\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void nameJsonYamlJsonPathAndCustomColumns(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String[] ns = createServices(kubectl, "formats-" + minor);
        String label = "test=formats-" + minor;

        assertThat(ok(kubectl.run("get", "services", "-A", "-l", label, "-o", "name")))
                .isEqualTo("service/web\nservice/edge\n");

        String json = ok(kubectl.run("get", "services", "-A", "-l", label, "-o", "json"));
        assertThat(json).startsWith("{\n    \"apiVersion\": \"v1\",\n    \"items\": [");
        KubernetesList list = new KubernetesSerialization().unmarshal(json, KubernetesList.class);
        assertThat(list.getKind()).isEqualTo("List");
        assertThat(list.getItems()).extracting(item -> item.getKind() + " " + item.getMetadata().getNamespace() + "/"
                + item.getMetadata().getName()).containsExactly("Service " + ns[0] + "/web",
                        "Service " + ns[1] + "/edge");
        Service edge = (Service) list.getItems().get(1);
        assertThat(edge.getSpec().getPorts().getFirst().getNodePort()).isBetween(30000, 32767);

        String yaml = ok(kubectl.run("get", "service", "web", "-n", ns[0], "-o", "yaml"));
        assertThat(yaml).startsWith("apiVersion: v1\nkind: Service\nmetadata:\n")
                .contains("\n  name: web\n", "\n  namespace: " + ns[0] + "\n", "\n    targetPort: 8080\n",
                        "\n  type: ClusterIP\n", "\nstatus:\n  loadBalancer: {}\n");

        assertThat(ok(kubectl.run("get", "services", "-A", "-l", label, "-o",
                "jsonpath={range .items[*]}{.metadata.name}={.spec.type}:{.spec.ports[0].port};{end}")))
                .isEqualTo("web=ClusterIP:80;edge=NodePort:443;");

        List<List<String>> columns = rows(ok(kubectl.run("get", "services", "-A", "-l", label, "-o",
                "custom-columns=NAME:.metadata.name,NAMESPACE:.metadata.namespace,PORT:.spec.ports[0].port,"
                        + "SELECTOR:.spec.selector.app")));
        assertThat(columns).containsExactly(List.of("NAME", "NAMESPACE", "PORT", "SELECTOR"),
                List.of("web", ns[0], "80", "web"), List.of("edge", ns[1], "443", "<none>"));
    }

    /**
     * Kinds beyond pods and services print the columns Kubernetes 1.33's printers give them, whatever the
     * kubectl: the server builds the table, kubectl only lays it out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"27", "33"})
    void otherKindsPrintKubernetesColumns(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = "kinds-" + minor;
        ok(kubectl.runWithInput("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s}
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web, namespace: %1$s}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 2
                  maxReplicas: 5
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
                ---
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: old, namespace: %1$s}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: old}
                  maxReplicas: 3
                  targetCPUUtilizationPercentage: 70
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: db, namespace: %1$s}
                spec:
                  podSelector: {matchLabels: {role: db}}
                ---
                apiVersion: v1
                kind: PodTemplate
                metadata: {name: tpl, namespace: %1$s}
                template:
                  metadata: {labels: {app: tpl}}
                  spec:
                    containers: [{name: app, image: "nginx:1.27"}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: %1$s}
                addressType: IPv4
                ports: [{name: http, port: 80, protocol: TCP}]
                endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2]}]
                ---
                apiVersion: coordination.k8s.io/v1
                kind: Lease
                metadata: {name: lock, namespace: %1$s}
                spec: {holderIdentity: node-1}
                ---
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: %1$s}
                spec: {controller: example.com/ingress}
                ---
                apiVersion: node.k8s.io/v1
                kind: RuntimeClass
                metadata: {name: %1$s}
                handler: runsc
                """.formatted(ns), "create", "-f", "-"));

        List<String> tables = ok(kubectl.run("-n", ns, "get", "hpa,netpol,podtemplates,endpointslices,leases"))
                .lines().map(line -> line.strip().replaceAll("\\s{2,}", " | ")).toList();
        assertThat(tables).contains("NAME | REFERENCE | TARGETS | MINPODS | MAXPODS | REPLICAS | AGE",
                "NAME | POD-SELECTOR | AGE",
                "NAME | CONTAINERS | IMAGES | POD LABELS",
                "NAME | ADDRESSTYPE | PORTS | ENDPOINTS | AGE",
                "NAME | HOLDER | AGE");
        assertThat(tables).anySatisfy(row -> assertThat(row).matches("horizontalpodautoscaler.autoscaling/web "
                + "\\| Deployment/web \\| cpu: <unknown>/60% \\| 2 \\| 5 \\| 0 \\| (" + RECENT_AGE + ")"));
        assertThat(tables).anySatisfy(row -> assertThat(row)
                .matches("networkpolicy.networking.k8s.io/db \\| role=db \\| (" + RECENT_AGE + ")"));
        assertThat(tables).contains("podtemplate/tpl | app | nginx:1.27 | app=tpl");
        assertThat(tables).anySatisfy(row -> assertThat(row).matches("endpointslice.discovery.k8s.io/web-1 "
                + "\\| IPv4 \\| 80 \\| 10.0.0.1,10.0.0.2 \\| (" + RECENT_AGE + ")"));
        assertThat(tables).anySatisfy(row -> assertThat(row)
                .matches("lease.coordination.k8s.io/lock \\| node-1 \\| (" + RECENT_AGE + ")"));

        // A v1 autoscaler's one target is its CPU utilization, read in either version.
        List<List<String>> v1 = rows(ok(kubectl.run("-n", ns, "get", "horizontalpodautoscalers.v1.autoscaling",
                "old")));
        assertThat(v1.get(1).subList(0, 7)).containsExactly("old", "Deployment/old", "cpu:", "<unknown>/70%", "1",
                "3", "0");
        assertThat(v1.get(1).get(7)).matches(RECENT_AGE);
        assertThat(rows(ok(kubectl.run("-n", ns, "get", "hpa", "old"))).get(1).subList(2, 4))
                .containsExactly("cpu:", "<unknown>/70%");

        List<List<String>> classes = rows(ok(kubectl.run("get", "ingressclass", ns)));
        assertThat(classes.get(0)).containsExactly("NAME", "CONTROLLER", "PARAMETERS", "AGE");
        assertThat(classes.get(1).subList(0, 3)).containsExactly(ns, "example.com/ingress", "<none>");
        List<List<String>> runtimes = rows(ok(kubectl.run("get", "runtimeclass", ns)));
        assertThat(runtimes.get(0)).containsExactly("NAME", "HANDLER", "AGE");
        assertThat(runtimes.get(1).subList(0, 2)).containsExactly(ns, "runsc");
    }
}
