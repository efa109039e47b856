package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.apiserver.status.ApiException;
import org.junit.jupiter.api.Test;

/** How a proxy subresource's name and path say where the request goes. */
class ResourceProxyTest {

    @Test
    void aNameMayCarryAPortAndAScheme() {
        assertThat(ResourceProxy.Target.parse("web")).isEqualTo(new ResourceProxy.Target("", "web", ""));
        assertThat(ResourceProxy.Target.parse("web:80")).isEqualTo(new ResourceProxy.Target("", "web", "80"));
        assertThat(ResourceProxy.Target.parse("https:web:metrics"))
                .isEqualTo(new ResourceProxy.Target("https", "web", "metrics"));
        assertThatThrownBy(() -> ResourceProxy.Target.parse("a:b:c:d")).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(400));
    }

    @Test
    void thePathAfterProxyIsPassedOnAndNothingMeansTheRoot() {
        assertThat(ResourceProxy.remainder("/api/v1/namespaces/d/services/web:80/proxy/a/b.html", "web:80"))
                .isEqualTo("/a/b.html");
        assertThat(ResourceProxy.remainder("/api/v1/namespaces/d/services/web:80/proxy/", "web:80")).isEqualTo("/");
        assertThat(ResourceProxy.remainder("/api/v1/nodes/n1/proxy", "n1")).isEqualTo("/");
    }
}
