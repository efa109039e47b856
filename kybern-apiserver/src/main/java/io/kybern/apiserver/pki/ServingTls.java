package io.kybern.apiserver.pki;

import io.kybern.api.tls.JdkTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;

/** The API server's TLS settings, made from the cluster's certificates. */
public final class ServingTls {

    private ServingTls() {
    }

    /**
     * A Netty server context: the serving certificate, client certificates requested but not
     * required (tokens and anonymous requests need none) and verified against the client CA, and
     * ALPN offering HTTP/2 before HTTP/1.1 as {@code kube-apiserver} does.
     *
     * <p>Netty wraps a JDK context made here rather than building one with {@code SslContextBuilder}: the
     * builder's server context, when its class is first used, probes the JDK with an RSA test key through
     * BouncyCastle and re-encrypts every key into a PKCS#12 store, a quarter of what the server did on its
     * critical path before listening (measured with JFR), for the same JDK engine in the end.
     */
    public static SslContext forApiServer(ClusterPki pki) {
        return new JdkSslContext(JdkTls.of(pki.serving().key(), pki.serving().certificate(),
                pki.clientCaCertificate()), false, null,
                IdentityCipherSuiteFilter.INSTANCE, new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        // The only behaviours every Netty TLS provider supports.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1),
                ClientAuth.OPTIONAL, null, false);
    }
}
