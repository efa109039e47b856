package io.kybern.apiserver.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestInfoTest {

    private static RequestInfo parse(String method, String path) {
        return RequestInfo.parse(method, path, Map.of());
    }

    @Test
    void readsNamespacedObjectsAndTheirSubresources() {
        assertThat(parse("GET", "/api/v1/namespaces/default/pods/web/log")).isEqualTo(new RequestInfo(true,
                "/api/v1/namespaces/default/pods/web/log", "get", "api", "", "v1", "default", "pods", "web", "log"));
        RequestInfo scale = parse("PUT", "/apis/apps/v1/namespaces/prod/deployments/api/scale");
        assertThat(scale.verb()).isEqualTo("update");
        assertThat(scale.group()).isEqualTo("apps");
        assertThat(scale.resource()).isEqualTo("deployments");
        assertThat(scale.subresource()).isEqualTo("scale");
    }

    @Test
    void tellsListsFromGetsAndCollectionsFromSingleDeletes() {
        assertThat(parse("GET", "/api/v1/namespaces/default/configmaps").verb()).isEqualTo("list");
        assertThat(parse("GET", "/api/v1/pods").verb()).isEqualTo("list");
        assertThat(parse("GET", "/api/v1/pods").namespace()).isEmpty();
        assertThat(parse("DELETE", "/api/v1/namespaces/default/configmaps").verb()).isEqualTo("deletecollection");
        assertThat(parse("DELETE", "/api/v1/namespaces/default/configmaps/a").verb()).isEqualTo("delete");
        assertThat(parse("POST", "/api/v1/namespaces/default/configmaps").verb()).isEqualTo("create");
        assertThat(parse("PATCH", "/api/v1/namespaces/default/configmaps/a").verb()).isEqualTo("patch");
    }

    @Test
    void namespacesAreResourcesWithStatusAndFinalizeSubresources() {
        RequestInfo ns = parse("GET", "/api/v1/namespaces/kube-system");
        assertThat(ns.resource()).isEqualTo("namespaces");
        assertThat(ns.name()).isEqualTo("kube-system");
        assertThat(ns.namespace()).isEqualTo("kube-system");
        RequestInfo finalize = parse("PUT", "/api/v1/namespaces/old/finalize");
        assertThat(finalize.resource()).isEqualTo("namespaces");
        assertThat(finalize.subresource()).isEqualTo("finalize");
        assertThat(parse("GET", "/api/v1/namespaces").verb()).isEqualTo("list");
    }

    @Test
    void watchesComeFromTheQueryOrTheDeprecatedPathPrefix() {
        assertThat(RequestInfo.parse("GET", "/api/v1/namespaces/default/pods", Map.of("watch", List.of("true")))
                .verb()).isEqualTo("watch");
        RequestInfo old = parse("GET", "/api/v1/watch/namespaces/default/pods/web");
        assertThat(old.verb()).isEqualTo("watch");
        assertThat(old.name()).isEqualTo("web");
        assertThat(old.resource()).isEqualTo("pods");
    }

    @Test
    void discoveryAndHealthAreNotResourceRequests() {
        for (String path : List.of("/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version", "/healthz",
                "/openapi/v3", "/api/v1/watch", "/apis/apps/v1/watch/")) {
            assertThat(parse("GET", path).resourceRequest()).as(path).isFalse();
        }
    }
}
