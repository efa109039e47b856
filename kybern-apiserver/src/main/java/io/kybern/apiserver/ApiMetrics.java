package io.kybern.apiserver;

import io.kybern.apiserver.cache.CacheMetrics;
import io.kybern.apiserver.http.ApiHandler;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The API server's Prometheus metrics under the names Kubernetes uses: {@code apiserver_request_total}
 * and {@code apiserver_request_duration_seconds} by verb, group, version, resource, subresource, scope
 * and code, {@code apiserver_longrunning_requests} for open watches, {@code apiserver_watch_events_total}
 * for the events sent to watchers (by resource, where Kubernetes labels by kind), and
 * {@code etcd_request_duration_seconds} for the store's latency by operation and resource, whichever
 * backend it is; from the watch cache, {@code apiserver_storage_objects} (the objects of each resource),
 * {@code apiserver_watch_cache_events_received_total}, {@code apiserver_watch_cache_events_dispatched_total}
 * (each change handed to a watcher) and {@code apiserver_watch_cache_initializations_total}, by resource;
 * served at {@code /metrics}.
 */
public final class ApiMetrics implements ApiServer.NonResourceHandler {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final java.util.concurrent.atomic.AtomicInteger watches = new java.util.concurrent.atomic.AtomicInteger();

    public ApiMetrics() {
        registry.gauge("apiserver.longrunning.requests", java.util.List.of(
                io.micrometer.core.instrument.Tag.of("verb", "WATCH")), watches);
    }

    /** Wraps a handler so that every request it serves is counted and timed. */
    public ApiHandler measure(ApiHandler handler) {
        return (request, responder) -> {
            RequestInfo info = RequestInfo.parse(request.method(), request.path(), request.query());
            long started = System.nanoTime();
            CodeRecorder recorder = new CodeRecorder(responder, info.verb().equals("watch")
                    ? Counter.builder("apiserver.watch.events").tags("group", info.group(), "version", info.version(),
                            "resource", info.resource()).register(registry) : null);
            boolean watch = info.verb().equals("watch");
            if (watch) {
                watches.incrementAndGet();
            }
            try {
                handler.handle(request, recorder);
            } catch (ApiException e) {
                recorder.code = e.code();
                throw e;
            } catch (RuntimeException e) {
                recorder.code = 500;
                throw e;
            } finally {
                if (watch) {
                    watches.decrementAndGet();
                }
                record(info, recorder.code, System.nanoTime() - started);
            }
        };
    }

    /** What a request's meters are labelled with; {@code code} is 0 for the duration, which has none. */
    private record RequestLabels(String verb, String group, String version, String resource, String subresource,
            String scope, int code) {

        String[] tags() {
            return new String[] {"verb", verb, "group", group, "version", version, "resource", resource,
                "subresource", subresource, "scope", scope, "component", "apiserver"};
        }
    }

    // The meters of each label set, found once: building and registering them on every request (sorting tags,
    // a histogram's configuration) was a few per cent of a small request's cost.
    private final Map<RequestLabels, Counter> requestCounters = new ConcurrentHashMap<>();
    private final Map<RequestLabels, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> storeTimers = new ConcurrentHashMap<>();

    private void record(RequestInfo info, int code, long nanos) {
        String verb = info.verb().toUpperCase(java.util.Locale.ROOT);
        String scope = !info.resourceRequest() ? "" : !info.name().isEmpty() ? "resource"
                : !info.namespace().isEmpty() ? "namespace" : "cluster";
        RequestLabels labels = new RequestLabels(verb, info.group(), info.version(), info.resource(),
                info.subresource(), scope, code);
        requestCounters.computeIfAbsent(labels, l -> Counter.builder("apiserver.request").tags(l.tags())
                .tag("code", Integer.toString(l.code())).register(registry)).increment();
        if (!info.verb().equals("watch")) {
            RequestLabels durationLabels = new RequestLabels(verb, info.group(), info.version(), info.resource(),
                    info.subresource(), scope, 0);
            requestTimers.computeIfAbsent(durationLabels, l -> Timer.builder("apiserver.request.duration")
                    .tags(l.tags()).publishPercentileHistogram()
                    .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
                            Duration.ofMillis(500), Duration.ofSeconds(1))
                    .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Records what the watch cache reports, under Kubernetes' names. */
    public CacheMetrics watchCache() {
        return new CacheMetrics() {
            @Override
            public void initialized(String resource, IntSupplier objects) {
                Counter.builder("apiserver.watch.cache.initializations").tag("resource", resource)
                        .register(registry).increment();
                Gauge.builder("apiserver.storage.objects", objects, IntSupplier::getAsInt).tag("resource", resource)
                        .strongReference(true).register(registry);
            }

            @Override
            public void received(String resource, int events) {
                Counter.builder("apiserver.watch.cache.events.received").tag("resource", resource)
                        .register(registry).increment(events);
            }

            @Override
            public void dispatched(String resource, int events) {
                Counter.builder("apiserver.watch.cache.events.dispatched").tag("resource", resource)
                        .register(registry).increment(events);
            }
        };
    }

    /** The store, with the latency of each call recorded as {@code etcd_request_duration_seconds}. */
    public Store measure(Store store) {
        return new MeasuredStore(store, (operation, key, nanos) -> storeTimers.computeIfAbsent(
                List.of(operation, MeasuredStore.resourceOf(key)), labels -> Timer.builder("etcd.request.duration")
                        .tags("operation", labels.get(0), "type", labels.get(1))
                        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
                                Duration.ofMillis(100), Duration.ofSeconds(1))
                        .register(registry)).record(nanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean handle(ApiRequest request, ApiResponder responder) {
        if (!request.path().equals("/metrics") || !request.method().equals("GET")) {
            return false;
        }
        responder.respond(200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** Remembers the status code a handler answered with. */
    private static final class CodeRecorder implements ApiResponder {
        private final ApiResponder delegate;
        private final Counter events;
        private int code = 200;

        /** @param events counts the pieces of a stream (watch events), or null for a request that is no watch */
        CodeRecorder(ApiResponder delegate, Counter events) {
            this.delegate = delegate;
            this.events = events;
        }

        @Override
        public void header(String name, String value) {
            delegate.header(name, value);
        }

        @Override
        public void upgrade(java.util.function.Consumer<io.netty.channel.Channel> tunnel) {
            code = 101;
            delegate.upgrade(tunnel);
        }

        @Override
        public void respond(int status, String contentType, byte[] body) {
            code = status;
            delegate.respond(status, contentType, body);
        }

        @Override
        public void respondPieces(int status, String contentType, List<byte[]> pieces) {
            code = status;
            delegate.respondPieces(status, contentType, pieces);
        }

        @Override
        public ResponseStream stream(int status, String contentType) {
            code = status;
            ResponseStream stream = delegate.stream(status, contentType);
            if (events == null) {
                return stream;
            }
            return new ResponseStream() {
                @Override
                public boolean write(byte[] piece) {
                    events.increment();
                    return stream.write(piece);
                }

                @Override
                public boolean isOpen() {
                    return stream.isOpen();
                }

                @Override
                public void close() {
                    stream.close();
                }
            };
        }
    }
}
