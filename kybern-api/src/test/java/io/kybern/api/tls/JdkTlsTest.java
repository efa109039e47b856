package io.kybern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

/** Real TLS handshakes over loopback between contexts made by {@link JdkTls}, with client certificates required. */
class JdkTlsTest {

    @Test
    void aClientWithACertificateFromTheTrustedAuthorityIsServedAndSeesTheServersCertificate() throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority("cluster-ca");
        TestCertificates.Issued serving = TestCertificates.leaf(ca, "server",
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        TestCertificates.Issued client = TestCertificates.leaf(ca, "client");

        String answer = handshake(JdkTls.of(serving.keys().getPrivate(), serving.certificate(), ca.certificate()),
                JdkTls.of(client.keys().getPrivate(), client.certificate(), ca.certificate()));

        assertThat(answer).isEqualTo("CN=server");
    }

    @Test
    void aClientCertificateFromAnotherAuthorityIsRefused() throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority("cluster-ca");
        TestCertificates.Issued serving = TestCertificates.leaf(ca, "server");
        TestCertificates.Issued stranger = TestCertificates.authority("other-ca");
        TestCertificates.Issued client = TestCertificates.leaf(stranger, "client");

        SSLContext server = JdkTls.of(serving.keys().getPrivate(), serving.certificate(), ca.certificate());
        SSLContext refused = JdkTls.of(client.keys().getPrivate(), client.certificate(), ca.certificate());

        assertThatThrownBy(() -> handshake(server, refused)).isInstanceOf(IOException.class);
    }

    @Test
    void aServerCertificateFromAnotherAuthorityIsNotTrusted() throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority("cluster-ca");
        TestCertificates.Issued stranger = TestCertificates.authority("other-ca");
        TestCertificates.Issued serving = TestCertificates.leaf(stranger, "server");
        TestCertificates.Issued client = TestCertificates.leaf(ca, "client");

        SSLContext server = JdkTls.of(serving.keys().getPrivate(), serving.certificate(), ca.certificate());
        SSLContext distrustful = JdkTls.of(client.keys().getPrivate(), client.certificate(), ca.certificate());

        assertThatThrownBy(() -> handshake(server, distrustful)).isInstanceOf(SSLException.class);
    }

    /** Handshakes a client with a server that requires a client certificate; the server's subject as seen. */
    private static String handshake(SSLContext serverContext, SSLContext clientContext) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    accepted.startHandshake();
                    accepted.getOutputStream().write(1);
                    accepted.getOutputStream().flush();
                } catch (IOException e) {
                    // The client sees the refusal; the server side has nothing more to say.
                }
            });
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.startHandshake();
                // With TLS 1.3 a refused client certificate surfaces at the first read, not in the handshake.
                if (socket.getInputStream().read() != 1) {
                    throw new IOException("the server closed the connection");
                }
                return socket.getSession().getPeerPrincipal().getName();
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
