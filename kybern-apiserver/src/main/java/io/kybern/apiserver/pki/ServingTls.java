package io.kybern.apiserver.pki;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** The API server's TLS settings, made from the cluster's certificates. */
public final class ServingTls {

    private ServingTls() {
    }

    /**
     * A Netty server context: the serving certificate, client certificates requested but not
     * required (tokens and anonymous requests need none) and verified against the client CA, and
     * ALPN offering HTTP/2 before HTTP/1.1 as {@code kube-apiserver} does.
     */
    public static SslContext forApiServer(ClusterPki pki) throws SSLException {
        return SslContextBuilder.forServer(pki.servingKey(), pki.servingCertificate())
                .trustManager(pki.clientCaCertificate())
                .clientAuth(ClientAuth.OPTIONAL)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        // The only behaviours every Netty TLS provider supports.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }
}
