package io.kybern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code kubectl create} subcommands {@link KubectlProtobufTest} leaves out: configmaps from files and
 * env files, docker-registry and TLS secrets, ExternalName, LoadBalancer and NodePort services, cluster
 * role bindings, service accounts and jobs made from a cronjob. Each prints the line kubectl prints
 * against Kubernetes ({@code <resource>[.<group>]/<name> created}) and stores what it describes.
 */
class KubectlCreateTest extends ServerPerClass {

    private static String ok(Kubectl.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout();
    }

    private static void created(Kubectl.Result result, String what) {
        assertThat(ok(result)).isEqualTo(what + " created\n");
    }

    private static String namespace(Kubectl kubectl, String prefix, String minor) throws Exception {
        String ns = prefix + "-" + minor;
        created(kubectl.run("create", "namespace", ns), "namespace/" + ns);
        return ns;
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void configMapsFromFilesADirectoryAndAnEnvFile(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = namespace(kubectl, "files", minor);
        Path dir = Files.createDirectories(dataDir.resolve("config-" + minor));
        Files.writeString(dir.resolve("app.properties"), "color=blue\n");
        Files.writeString(dir.resolve("banner.txt"), "hello\n");
        Path env = Files.writeString(dataDir.resolve("settings-" + minor + ".env"),
                "# a comment\nMODE=fast\n\nLEVEL=3\n");

        created(kubectl.run("-n", ns, "create", "configmap", "one", "--from-file=renamed=" + dir.resolve("banner.txt")),
                "configmap/one");
        assertThat(ok(kubectl.run("-n", ns, "get", "configmap", "one", "-o", "jsonpath={.data}")))
                .isEqualTo("{\"renamed\":\"hello\\n\"}");

        created(kubectl.run("-n", ns, "create", "configmap", "dir", "--from-file=" + dir), "configmap/dir");
        assertThat(ok(kubectl.run("-n", ns, "get", "configmap", "dir", "-o", "jsonpath={.data}")))
                .isEqualTo("{\"app.properties\":\"color=blue\\n\",\"banner.txt\":\"hello\\n\"}");

        created(kubectl.run("-n", ns, "create", "configmap", "env", "--from-env-file=" + env), "configmap/env");
        assertThat(ok(kubectl.run("-n", ns, "get", "configmap", "env", "-o", "jsonpath={.data}")))
                .isEqualTo("{\"LEVEL\":\"3\",\"MODE\":\"fast\"}");

        Kubectl.Result twice = kubectl.run("-n", ns, "create", "configmap", "env", "--from-env-file=" + env);
        assertThat(twice.exitCode()).isEqualTo(1);
        assertThat(twice.stderr()).contains("configmaps \"env\" already exists");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void dockerRegistryAndTlsSecrets(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = namespace(kubectl, "secrets", minor);

        created(kubectl.run("-n", ns, "create", "secret", "docker-registry", "pull",
                "--docker-server=registry.example.com", "--docker-username=bob", "--docker-password=hunter2",
                "--docker-email=bob@example.com"), "secret/pull");
        assertThat(ok(kubectl.run("-n", ns, "get", "secret", "pull", "-o", "jsonpath={.type}")))
                .isEqualTo("kubernetes.io/dockerconfigjson");
        String config = new String(Base64.getDecoder().decode(ok(kubectl.run("-n", ns, "get", "secret", "pull", "-o",
                "jsonpath={.data.\\.dockerconfigjson}"))));
        assertThat(config).contains("\"registry.example.com\"", "\"username\":\"bob\"", "\"password\":\"hunter2\"",
                "\"email\":\"bob@example.com\"", "\"auth\":\"" + Base64.getEncoder().encodeToString("bob:hunter2"
                        .getBytes()) + "\"");

        // Any certificate and matching key will do; the server's own serving pair is at hand.
        Path tls = dataDir.resolve("tls");
        Path cert = tls.resolve("serving-kube-apiserver.crt");
        Path key = tls.resolve("serving-kube-apiserver.key");
        created(kubectl.run("-n", ns, "create", "secret", "tls", "web-tls", "--cert=" + cert, "--key=" + key),
                "secret/web-tls");
        assertThat(ok(kubectl.run("-n", ns, "get", "secret", "web-tls", "-o", "jsonpath={.type}")))
                .isEqualTo("kubernetes.io/tls");
        assertThat(ok(kubectl.run("-n", ns, "get", "secret", "web-tls", "-o", "jsonpath={.data.tls\\.crt}")))
                .isEqualTo(Base64.getEncoder().encodeToString(Files.readAllBytes(cert)));

        // A TLS secret must carry both keys; the server says which is missing.
        Kubectl.Result missingKey = kubectl.runWithInput("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: half
                type: kubernetes.io/tls
                data:
                  tls.crt: Y2VydA==
                """, "-n", ns, "create", "-f", "-");
        assertThat(missingKey.exitCode()).isEqualTo(1);
        assertThat(missingKey.stderr()).contains("Secret \"half\" is invalid: data[tls.key]: Required value");
        assertThat(kubectl.run("-n", ns, "get", "secret", "half").exitCode()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void externalNameLoadBalancerAndNodePortServices(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = namespace(kubectl, "services", minor);

        created(kubectl.run("-n", ns, "create", "service", "externalname", "db", "--external-name=db.example.com"),
                "service/db");
        assertThat(ok(kubectl.run("-n", ns, "get", "service", "db", "-o",
                "jsonpath={.spec.type} {.spec.externalName} [{.spec.clusterIP}]")))
                .isEqualTo("ExternalName db.example.com []");

        created(kubectl.run("-n", ns, "create", "service", "loadbalancer", "front", "--tcp=80:8080"), "service/front");
        String[] front = ok(kubectl.run("-n", ns, "get", "service", "front", "-o",
                "jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].nodePort}"))
                .split(" ");
        assertThat(front).hasSize(4);
        assertThat(front[0] + " " + front[1] + " " + front[2]).isEqualTo("LoadBalancer 80 8080");
        assertThat(Integer.parseInt(front[3])).isBetween(30000, 32767);

        // Each kubectl version gets a port of its own, as node ports are unique across the cluster; a low
        // one, in the band Kubernetes leaves to ports asked for by number, so no handed-out port has it.
        int nodePort = 30000 + Integer.parseInt(minor);
        created(kubectl.run("-n", ns, "create", "service", "nodeport", "edge", "--tcp=443:8443",
                "--node-port=" + nodePort), "service/edge");
        assertThat(ok(kubectl.run("-n", ns, "get", "service", "edge", "-o",
                "jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].nodePort}")))
                .isEqualTo("NodePort 443 " + nodePort);

        Kubectl.Result taken = kubectl.run("-n", ns, "create", "service", "nodeport", "again", "--tcp=443:8443",
                "--node-port=" + nodePort);
        assertThat(taken.exitCode()).isEqualTo(1);
        assertThat(taken.stderr()).contains("Service \"again\" is invalid: spec.ports[0].nodePort: Invalid value: "
                + nodePort + ": provided port is already allocated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"27", "31", "33"})
    void clusterRoleBindingsServiceAccountsAndJobsFromACronJob(String minor) throws Exception {
        Kubectl kubectl = kubectl(minor);
        String ns = namespace(kubectl, "misc", minor);

        created(kubectl.run("-n", ns, "create", "serviceaccount", "robot"), "serviceaccount/robot");
        assertThat(ok(kubectl.run("-n", ns, "get", "serviceaccount", "robot", "-o", "name")))
                .isEqualTo("serviceaccount/robot\n");

        String binding = "viewers-" + minor;
        created(kubectl.run("create", "clusterrolebinding", binding, "--clusterrole=view", "--user=alice",
                "--group=devs", "--serviceaccount=" + ns + ":robot"),
                "clusterrolebinding.rbac.authorization.k8s.io/" + binding);
        assertThat(ok(kubectl.run("get", "clusterrolebinding", binding, "-o",
                "jsonpath={.roleRef.apiGroup} {.roleRef.kind}/{.roleRef.name}"
                        + "{range .subjects[*]} {.kind}/{.name}/{.namespace}{end}")))
                .isEqualTo("rbac.authorization.k8s.io ClusterRole/view User/alice/ Group/devs/ ServiceAccount/robot/"
                        + ns);

        created(kubectl.run("-n", ns, "create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *",
                "--", "date"), "cronjob.batch/nightly");
        created(kubectl.run("-n", ns, "create", "job", "nightly-now", "--from=cronjob/nightly"),
                "job.batch/nightly-now");
        String cronUid = ok(kubectl.run("-n", ns, "get", "cronjob", "nightly", "-o", "jsonpath={.metadata.uid}"));
        assertThat(ok(kubectl.run("-n", ns, "get", "job", "nightly-now", "-o",
                "jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} "
                        + "{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} "
                        + "{.metadata.ownerReferences[0].uid} {.spec.template.spec.containers[0].command}")))
                .isEqualTo("manual CronJob/nightly " + cronUid + " [\"date\"]");

        Kubectl.Result noSuchCronJob = kubectl.run("-n", ns, "create", "job", "orphan", "--from=cronjob/missing");
        assertThat(noSuchCronJob.exitCode()).isEqualTo(1);
        assertThat(noSuchCronJob.stderr()).contains("cronjobs.batch \"missing\" not found");
    }
}
