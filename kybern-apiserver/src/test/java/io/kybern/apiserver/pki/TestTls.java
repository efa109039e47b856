package io.kybern.apiserver.pki;

import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.HttpApiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** TLS clients as a Kubernetes client configures them, and an API server that answers with who called. */
final class TestTls {

    private static final char[] NO_PASSWORD = new char[0];

    private TestTls() {
    }

    /**
     * A client context trusting only {@code ca}, presenting {@code client} when not null.
     */
    static SSLContext clientContext(X509Certificate ca, CertifiedKey client) throws GeneralSecurityException,
            IOException {
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.key(), NO_PASSWORD, new Certificate[] {client.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, NO_PASSWORD);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), trusting(ca), null);
        return context;
    }

    private static TrustManager[] trusting(X509Certificate ca) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    /**
     * A client context that presents {@code client} whatever CAs the server says it accepts. The JDK's
     * own key manager quietly sends no certificate when its issuer is not among them, which would
     * test the client's manners instead of the server's checks.
     */
    static SSLContext insistingClientContext(X509Certificate ca, CertifiedKey client)
            throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new InsistingKeyManager(client)}, trusting(ca), null);
        return context;
    }

    private static final class InsistingKeyManager extends X509ExtendedKeyManager {
        private final CertifiedKey client;

        InsistingKeyManager(CertifiedKey client) {
            this.client = client;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {client.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return client.key();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /**
     * Connects to loopback but checks the server's certificate for {@code hostname}, as an HTTPS
     * client that reached the server by that name would; returns after the handshake.
     */
    static SSLSocket connect(SSLContext context, int port, String hostname) throws IOException {
        return connect(context, new Socket(InetAddress.getLoopbackAddress(), port), hostname);
    }

    /** {@link #connect(SSLContext, int, String)} over a connection the caller opened (to know its port). */
    static SSLSocket connect(SSLContext context, Socket plain, String hostname) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, hostname, plain.getPort(),
                true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(20_000);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** The real API server listener with the cluster's TLS settings, answering every request with its caller. */
    static HttpApiServer whoAmIServer(ClusterPki pki) throws Exception {
        return HttpApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServingTls.forApiServer(pki), (request, responder) -> responder.respond(200, "text/plain",
                        describe(request).getBytes(StandardCharsets.UTF_8)));
    }

    private static String describe(ApiRequest request) {
        String authorization = request.header("authorization");
        return "user=" + request.user().name() + " groups=" + String.join(",", request.user().groups())
                + " authorization=" + (authorization == null ? "none" : authorization) + "\n";
    }
}
