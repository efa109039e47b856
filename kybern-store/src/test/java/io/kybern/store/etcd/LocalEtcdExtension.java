package io.kybern.store.etcd;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalEtcd} for a test class, started before its first test and removed after its last:
 * starting etcd takes a second or more, too long to pay for every test. Register it in a static field
 * with {@code @RegisterExtension}.
 */
final class LocalEtcdExtension implements BeforeAllCallback, AfterAllCallback {

    private LocalEtcd server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = LocalEtcd.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The running server. */
    LocalEtcd server() {
        if (server == null) {
            throw new IllegalStateException("etcd runs only while the test class does");
        }
        return server;
    }
}
