package io.kybern.store.etcd;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LocalEtcd}, the etcd server that tests and benchmarks run against. */
class EtcdLocalServerTest {

    @Test
    void restartKeepsDataAndEndpointAndCloseRemovesEverything() {
        Path dataDir;
        try (LocalEtcd etcd = LocalEtcd.start()) {
            URI endpoint = etcd.clientEndpoint();
            dataDir = etcd.dataDir();
            assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
            assertThat(dataDir).isDirectory();
            assertThat(etcd.isRunning()).isTrue();
            long written;
            try (EtcdStore store = EtcdStore.connect(List.of(endpoint))) {
                written = store.put("/local/a", new byte[] {1}).revision();
            }

            etcd.restart();

            assertThat(etcd.clientEndpoint()).isEqualTo(endpoint);
            try (EtcdStore store = EtcdStore.connect(List.of(endpoint))) {
                assertThat(store.get("/local/a").orElseThrow().modRevision()).isEqualTo(written);
            }
            assertThat(etcd.logFile()).isNotEmptyFile();

            etcd.stop();

            assertThat(etcd.isRunning()).isFalse();
            assertThat(dataDir).isDirectory();
        }
        assertThat(Files.exists(dataDir.getParent())).isFalse();
    }
}
