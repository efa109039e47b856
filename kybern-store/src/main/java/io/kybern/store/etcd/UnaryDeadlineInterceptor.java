package io.kybern.store.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Puts a deadline on every request-response call to etcd.
 *
 * <p>jetcd waits for the connection to be ready before sending, with no limit, so without a deadline a
 * call to an unreachable etcd would wait forever and, worse, could still be sent long after the caller
 * gave up. Streams (watches, lease keep-alives) live as long as they are needed and get no deadline.
 */
final class UnaryDeadlineInterceptor implements ClientInterceptor {

    private final long timeoutMillis;

    UnaryDeadlineInterceptor(Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
            options = options.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        return next.newCall(method, options);
    }
}
