package io.kybern.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.defaults.Defaults;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class KindValidationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final BuiltInResources CATALOG = new BuiltInResources();

    private static ResourceType type(String group, String version, String resource) {
        return CATALOG.byResource(new GroupVersionResource(group, version, resource)).orElseThrow();
    }

    /** Defaulted first, as the server does. */
    private static ObjectNode object(ResourceType type, String json) {
        ObjectNode object = (ObjectNode) JSON.readTree(json);
        Defaults.apply(type, object);
        return object;
    }

    private static List<String> described(List<FieldError> errors) {
        return errors.stream().map(FieldError::describe).toList();
    }

    private static final String DEPLOYMENT = """
            {"spec": {"selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}}}}
            """;

    @Test
    void aValidDeploymentPasses() {
        ResourceType deployments = type("apps", "v1", "deployments");
        assertThat(KindValidation.validateCreate(deployments, object(deployments, DEPLOYMENT))).isEmpty();
    }

    @Test
    void aDeploymentMustSelectItsTemplateAndDescribeItsContainers() {
        ResourceType deployments = type("apps", "v1", "deployments");
        ObjectNode deployment = object(deployments, """
                {"spec": {"replicas": -1, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "other"}},
                    "spec": {"restartPolicy": "Never", "containers": [
                      {"name": "Web", "image": "nginx", "ports": [{"containerPort": 70000, "protocol": "HTTP"}],
                       "env": [{"name": "1BAD"}], "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                      {"name": "side"}]}}}}
                """);

        assertThat(described(KindValidation.validateCreate(deployments, deployment))).containsExactly(
                "spec.template.metadata.labels: Invalid value: \"{\"app\":\"other\"}\": `selector` does not match "
                        + "template `labels`",
                "spec.template.spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must "
                        + "consist of lower case alphanumeric characters or '-', and must start and end with an "
                        + "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 "
                        + "and 65535, inclusive",
                "spec.template.spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: "
                        + "\"SCTP\", \"TCP\", \"UDP\"",
                "spec.template.spec.containers[0].env[0].name: Invalid value: \"1BAD\": a valid environment variable "
                        + "name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start "
                        + "with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
                        + "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
                "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
                "spec.template.spec.containers[1].image: Required value",
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"");
    }

    @Test
    void aSelectorCannotChange() {
        ResourceType deployments = type("apps", "v1", "deployments");
        ObjectNode existing = object(deployments, DEPLOYMENT);
        ObjectNode updated = object(deployments, DEPLOYMENT.replace("\"web\"}", "\"web2\"}"));

        assertThat(described(KindValidation.validateUpdate(deployments, existing, updated)))
                .containsExactly("spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is "
                        + "immutable");
    }

    @Test
    void aCronJobScheduleMustParseAndItsTimeZoneBeAnIanaName() {
        ResourceType cronJobs = type("batch", "v1", "cronjobs");
        String cronJob = """
                {"spec": {"schedule": "%s", %s"jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never",
                  "containers": [{"name": "c", "image": "busybox"}]}}}}}}
                """;
        assertThat(KindValidation.validateCreate(cronJobs, object(cronJobs, cronJob.formatted("*/1 * * * *", ""))))
                .isEmpty();
        assertThat(KindValidation.validateCreate(cronJobs, object(cronJobs,
                cronJob.formatted("@weekly", "\"timeZone\": \"Europe/Paris\", ")))).isEmpty();
        assertThat(KindValidation.validateCreate(cronJobs, object(cronJobs, cronJob.formatted("@every 2h", ""))))
                .isEmpty();

        assertThat(described(KindValidation.validateCreate(cronJobs, object(cronJobs,
                cronJob.formatted("* * * *", "\"timeZone\": \"Mars/Olympus\", ")))))
                .containsExactly("spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: "
                        + "[* * * *]", "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus");
        assertThat(described(KindValidation.validateCreate(cronJobs, object(cronJobs,
                cronJob.formatted("CRON_TZ=UTC 0 * * * *", "")))))
                .containsExactly("spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ "
                        + "in schedule, use timeZone field instead");
        assertThat(KindValidation.validateCreate(cronJobs, object(cronJobs, cronJob.formatted("@fortnightly", ""))))
                .extracting(FieldError::field).containsExactly("spec.schedule");
    }

    @Test
    void aJobRestartsOnlyOnFailureOrNeverAndKeepsItsTemplate() {
        ResourceType jobs = type("batch", "v1", "jobs");
        String job = """
                {"spec": {"selector": {"matchLabels": {"job": "x"}},
                  "template": {"metadata": {"labels": {"job": "x"}},
                    "spec": {%s"containers": [{"name": "c", "image": "busybox"}]}}}}
                """;
        assertThat(described(KindValidation.validateCreate(jobs, object(jobs, job.formatted("")))))
                .containsExactly("spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported "
                        + "values: \"OnFailure\", \"Never\"");

        ObjectNode existing = object(jobs, job.formatted("\"restartPolicy\": \"Never\", "));
        ObjectNode changed = object(jobs, job.formatted("\"restartPolicy\": \"OnFailure\", "));
        assertThat(KindValidation.validateUpdate(jobs, existing, changed)).extracting(FieldError::field)
                .containsExactly("spec.template");
    }

    @Test
    void servicePortsAreNamedUniqueAndInRange() {
        ResourceType services = type("", "v1", "services");
        ObjectNode service = object(services, """
                {"spec": {"type": "Bogus", "ports": [{"port": 80}, {"name": "b", "port": 0},
                  {"name": "b", "port": 443, "targetPort": "no_underscores"}]}}
                """);

        assertThat(described(KindValidation.validateCreate(services, service))).containsExactly(
                "spec.type: Unsupported value: \"Bogus\": supported values: \"ClusterIP\", \"ExternalName\", "
                        + "\"LoadBalancer\", \"NodePort\"",
                "spec.ports[0].name: Required value",
                "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                // Defaulting copied the port into the unset targetPort.
                "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[2].name: Duplicate value: \"b\"",
                "spec.ports[2].targetPort: Invalid value: \"no_underscores\": must contain only alphanumeric "
                        + "characters (a-z, 0-9), and hyphens (-), and be no more than 15 characters");
        assertThat(KindValidation.checkName(services, "1web")).hasValueSatisfying(message ->
                assertThat(message).startsWith("a DNS-1035 label must consist of lower case alphanumeric"));
    }

    @Test
    void immutableConfigMapsAndSecretsKeepTheirDataAndTypedSecretsHaveTheirKeys() {
        ResourceType configMaps = type("", "v1", "configmaps");
        ObjectNode frozen = object(configMaps, "{\"immutable\": true, \"data\": {\"k\": \"v\"}}");
        ObjectNode changed = object(configMaps, "{\"immutable\": true, \"data\": {\"k\": \"w\"}}");
        assertThat(described(KindValidation.validateUpdate(configMaps, frozen, changed)))
                .containsExactly("data: Forbidden: field is immutable when `immutable` is set");
        assertThat(described(KindValidation.validateCreate(configMaps, object(configMaps,
                "{\"data\": {\"bad key\": \"v\"}}")))).singleElement().asString()
                .startsWith("data[bad key]: Invalid value: \"bad key\": a valid config key must consist of");

        ResourceType secrets = type("", "v1", "secrets");
        assertThat(described(KindValidation.validateCreate(secrets, object(secrets,
                "{\"type\": \"kubernetes.io/tls\", \"data\": {\"tls.crt\": \"eA==\"}}"))))
                .containsExactly("data[tls.key]: Required value");
        ObjectNode opaque = object(secrets, "{\"data\": {\"k\": \"eA==\"}}");
        ObjectNode retyped = object(secrets, "{\"type\": \"example.com/x\", \"data\": {\"k\": \"eA==\"}}");
        assertThat(KindValidation.validateUpdate(secrets, opaque, retyped)).extracting(FieldError::field)
                .containsExactly("type");
    }

    @Test
    void aRunningPodMayChangeItsImageButNotItsCommand() {
        ResourceType pods = type("", "v1", "pods");
        ObjectNode pod = object(pods, "{\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"app:1\"}]}}");
        ObjectNode newImage = object(pods, "{\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"app:2\"}]}}");
        ObjectNode newCommand = object(pods, "{\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"app:1\","
                + "\"command\": [\"sh\"]}]}}");

        assertThat(KindValidation.validateUpdate(pods, pod, newImage)).isEmpty();
        assertThat(KindValidation.validateUpdate(pods, pod, newCommand)).extracting(FieldError::reason)
                .containsExactly("FieldValueForbidden");
    }

    @Test
    void anUnboundClaimWithoutClassMayBeGivenOneButNoClassChangesOtherwise() {
        ResourceType claims = type("", "v1", "persistentvolumeclaims");
        String spec = "\"accessModes\": [\"ReadWriteOnce\"], \"resources\": {\"requests\": {\"storage\": \"1Gi\"}}";
        ObjectNode classless = object(claims, "{\"spec\": {" + spec + "}}");
        ObjectNode local = object(claims, "{\"spec\": {" + spec + ", \"storageClassName\": \"local-path\"}}");
        ObjectNode fast = object(claims, "{\"spec\": {" + spec + ", \"storageClassName\": \"fast\"}}");
        ObjectNode boundClassless = object(claims, "{\"spec\": {" + spec + ", \"volumeName\": \"pv-1\"}}");
        ObjectNode boundLocal = object(claims, "{\"spec\": {" + spec
                + ", \"volumeName\": \"pv-1\", \"storageClassName\": \"local-path\"}}");

        assertThat(KindValidation.validateUpdate(claims, classless, local)).isEmpty();
        assertThat(KindValidation.validateUpdate(claims, local, fast)).extracting(FieldError::reason)
                .containsExactly("FieldValueForbidden");
        assertThat(KindValidation.validateUpdate(claims, boundClassless, boundLocal)).extracting(FieldError::reason)
                .containsExactly("FieldValueForbidden");
    }
}
