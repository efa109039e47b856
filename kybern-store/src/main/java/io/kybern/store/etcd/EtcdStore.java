package io.kybern.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.kybern.store.CompactedException;
import io.kybern.store.FutureRevisionException;
import io.kybern.store.KeyValue;
import io.kybern.store.LeaseNotFoundException;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.StoreException;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.Watch;
import io.kybern.store.WatchListener;
import io.kybern.store.WriteResult;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static io.kybern.store.etcd.EtcdCodec.bytes;

/**
 * The {@link Store} on a real etcd v3 cluster, through jetcd.
 *
 * <p>Conditional writes are single etcd transactions whose failure branch reads the key, so a failed
 * compare-and-swap returns the value it lost against, as of the same revision. Every request has a
 * deadline ({@link #DEFAULT_TIMEOUT} unless told otherwise); one that passes it fails with
 * {@link StoreUnavailableException}, and a write that failed so may or may not have happened.
 */
public final class EtcdStore implements Store {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Time on top of the gRPC deadline for jetcd's own retries and bookkeeping before we stop waiting. */
    private static final long GRACE_MILLIS = 5_000;

    /** Responses can hold many large values; gRPC's default limit of 4 MiB would fail big ranges. */
    private static final int MAX_INBOUND_MESSAGE_BYTES = Integer.MAX_VALUE;

    private final Client client;
    private final KV kv;
    private final Lease leases;
    private final io.etcd.jetcd.Watch watchClient;
    private final Duration timeout;
    private final EtcdWatch.Backlog watchBacklog;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** What a request was about, to name it in errors and build the right exception. */
    private record Call(String what, long revision, long lease) {

        static Call of(String what) {
            return new Call(what, 0, NO_LEASE);
        }

        static Call atRevision(String what, long revision) {
            return new Call(what, revision, NO_LEASE);
        }

        static Call withLease(String what, long lease) {
            return new Call(what, 0, lease);
        }
    }

    EtcdStore(List<URI> endpoints, Duration timeout, EtcdWatch.Backlog watchBacklog) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is needed");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        this.watchBacklog = Objects.requireNonNull(watchBacklog, "watchBacklog");
        this.client = Client.builder()
                .endpoints(endpoints)
                .interceptor(new UnaryDeadlineInterceptor(timeout))
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
        this.watchClient = client.getWatchClient();
    }

    /**
     * A store on the etcd cluster at these client URLs, for example {@code http://127.0.0.1:2379}.
     * Connects lazily: an unreachable cluster shows on the first request.
     */
    public static EtcdStore connect(List<URI> endpoints) {
        return connect(endpoints, DEFAULT_TIMEOUT);
    }

    /** As {@link #connect(List)}, with a deadline of {@code timeout} for every request. */
    public static EtcdStore connect(List<URI> endpoints, Duration timeout) {
        return new EtcdStore(List.copyOf(endpoints), timeout, EtcdWatch.Backlog.DEFAULT);
    }

    // ---- reads ----------------------------------------------------------------------------------------

    @Override
    public Optional<KeyValue> get(String key, long revision) {
        Objects.requireNonNull(key, "key");
        requireRevision(revision);
        GetOption option = GetOption.builder().withRevision(revision).build();
        GetResponse response = call(() -> kv.get(bytes(key), option), Call.atRevision("get " + key, revision));
        return response.getKvs().stream().findFirst().map(EtcdCodec::keyValue);
    }

    @Override
    public RangeResult range(RangeRequest request) {
        Objects.requireNonNull(request, "request");
        ByteSequence start = request.afterKey() != null
                ? EtcdCodec.keyAfter(request.afterKey())
                : EtcdCodec.rangeStart(request.prefix());
        // No sort option: etcd returns keys in ascending order by itself, and asking for a sort makes
        // etcd 3.4 read the whole range before applying the limit.
        GetOption option = GetOption.builder()
                .withRange(EtcdCodec.prefixEnd(request.prefix()))
                .withRevision(request.revision())
                .withLimit(request.limit())
                .build();
        GetResponse response = call(() -> kv.get(start, option),
                Call.atRevision("range " + request.prefix(), request.revision()));
        long revision = request.revision() == 0 ? response.getHeader().getRevision() : request.revision();
        List<KeyValue> kvs = response.getKvs().stream().map(EtcdCodec::keyValue).toList();
        return new RangeResult(kvs, revision, response.getCount(), response.isMore());
    }

    @Override
    public long currentRevision() {
        // A count of one key is about the cheapest linearizable request there is.
        GetOption option = GetOption.builder().withCountOnly(true).build();
        return call(() -> kv.get(EtcdCodec.ZERO_BYTE, option), Call.of("current revision"))
                .getHeader().getRevision();
    }

    // ---- writes ---------------------------------------------------------------------------------------

    @Override
    public WriteResult create(String key, byte[] value, long lease) {
        checkWrite(key, value);
        ByteSequence k = bytes(key);
        TxnResponse response = call(() -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, bytes(value), putOption(lease)))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), Call.withLease("create " + key, lease));
        long revision = response.getHeader().getRevision();
        if (!response.isSucceeded()) {
            return WriteResult.failure(revision, firstKv(response.getGetResponses()));
        }
        return WriteResult.success(revision, written(key, value, lease, revision, null));
    }

    @Override
    public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
        checkWrite(key, value);
        requireCasToken(expectedModRevision);
        ByteSequence k = bytes(key);
        TxnResponse response = call(() -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(k, bytes(value), putOption(lease)))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), Call.withLease("update " + key, lease));
        long revision = response.getHeader().getRevision();
        if (!response.isSucceeded()) {
            return WriteResult.failure(revision, firstKv(response.getGetResponses()));
        }
        PutResponse put = response.getPutResponses().getFirst();
        return WriteResult.success(revision, written(key, value, lease, revision, previous(put)));
    }

    @Override
    public WriteResult put(String key, byte[] value, long lease) {
        checkWrite(key, value);
        PutResponse response = call(() -> kv.put(bytes(key), bytes(value), putOption(lease)),
                Call.withLease("put " + key, lease));
        long revision = response.getHeader().getRevision();
        return WriteResult.success(revision, written(key, value, lease, revision, previous(response)));
    }

    @Override
    public WriteResult delete(String key, long expectedModRevision) {
        Objects.requireNonNull(key, "key");
        requireCasToken(expectedModRevision);
        ByteSequence k = bytes(key);
        TxnResponse response = call(() -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.delete(k, DeleteOption.builder().withPrevKV(true).build()))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), Call.of("delete " + key));
        long revision = response.getHeader().getRevision();
        if (!response.isSucceeded()) {
            return WriteResult.failure(revision, firstKv(response.getGetResponses()));
        }
        List<io.etcd.jetcd.KeyValue> deleted = response.getDeleteResponses().getFirst().getPrevKvs();
        return WriteResult.success(revision, deleted.isEmpty() ? null : EtcdCodec.keyValue(deleted.getFirst()));
    }

    @Override
    public WriteResult delete(String key) {
        Objects.requireNonNull(key, "key");
        DeleteOption option = DeleteOption.builder().withPrevKV(true).build();
        var response = call(() -> kv.delete(bytes(key), option), Call.of("delete " + key));
        long revision = response.getHeader().getRevision();
        if (response.getDeleted() == 0) {
            return WriteResult.failure(revision, null);
        }
        return WriteResult.success(revision, EtcdCodec.keyValue(response.getPrevKvs().getFirst()));
    }

    @Override
    public void compact(long revision) {
        if (revision < 0) {
            throw new IllegalArgumentException("revision must be >= 0: " + revision);
        }
        if (revision == 0) {
            return; // nothing lies before revision 0
        }
        // Physical: wait until etcd has really dropped the history, so that reads below fail afterwards.
        CompactOption option = CompactOption.builder().withCompactPhysical(true).build();
        try {
            call(() -> kv.compact(revision, option), Call.atRevision("compact", revision));
        } catch (CompactedException alreadyCompacted) {
            // etcd refuses a compaction at or below its compaction point; the contract makes it a no-op.
        }
    }

    // ---- watches --------------------------------------------------------------------------------------

    @Override
    public Watch watch(String prefix, long startRevision, WatchListener listener) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        requireRevision(startRevision);
        ensureOpen();
        // Resolved here rather than left to etcd, so that the watch knows where to resume after pausing
        // a slow listener. A write racing with this call may be included, which is fine: it did not
        // return before the watch started.
        long start = startRevision == 0 ? currentRevision() + 1 : startRevision;
        EtcdWatch watch = new EtcdWatch(watchClient, prefix, start, listener, watchBacklog, watches::remove);
        watches.add(watch);
        watch.start();
        if (closed.get()) {
            watch.terminate(closedException());
        }
        return watch;
    }

    // ---- leases ---------------------------------------------------------------------------------------

    @Override
    public long grantLease(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        // etcd counts whole seconds; rounding up never expires a lease earlier than asked.
        long seconds = ttl.toSeconds() + (ttl.toNanosPart() > 0 ? 1 : 0);
        return call(() -> leases.grant(seconds), Call.of("grant lease")).getID();
    }

    @Override
    public void keepAlive(long lease) {
        call(() -> leases.keepAliveOnce(lease), Call.withLease("keep lease alive", lease));
    }

    @Override
    public void revokeLease(long lease) {
        call(() -> leases.revoke(lease), Call.withLease("revoke lease", lease));
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (EtcdWatch watch : List.copyOf(watches)) {
            watch.terminate(closedException());
        }
        client.close();
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** Runs one jetcd request and waits for it, turning every failure into the contract's exceptions. */
    private <T> T call(Supplier<CompletableFuture<T>> request, Call call) {
        ensureOpen();
        CompletableFuture<T> future;
        try {
            future = request.get();
        } catch (RuntimeException e) {
            throw failure(e, call);
        }
        try {
            return future.get(timeout.toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), call);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreUnavailableException("etcd did not answer " + call.what() + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new StoreUnavailableException("interrupted while waiting for etcd to " + call.what(), e);
        }
    }

    private StoreException failure(Throwable error, Call call) {
        if (closed.get()) {
            return new StoreUnavailableException("the etcd store was closed during " + call.what(), error);
        }
        EtcdErrors.Failure f = EtcdErrors.classify(error);
        String message = "etcd " + call.what() + ": " + f.message();
        return switch (f.kind()) {
            case COMPACTED -> new CompactedException(call.revision(), EtcdErrors.compactRevision(error));
            case FUTURE_REVISION -> new FutureRevisionException(call.revision(), currentRevisionOrZero());
            case LEASE_NOT_FOUND -> new LeaseNotFoundException(call.lease());
            case UNAVAILABLE -> new StoreUnavailableException(message, error);
            case OTHER -> new StoreException(message, error);
        };
    }

    /** For an error message only: the current revision, or 0 if even that cannot be read. */
    private long currentRevisionOrZero() {
        try {
            return currentRevision();
        } catch (StoreException e) {
            return 0;
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw closedException();
        }
    }

    private static StoreUnavailableException closedException() {
        return new StoreUnavailableException("the etcd store is closed");
    }

    private static void checkWrite(String key, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Store.checkValueSize(key, value);
    }

    private static void requireRevision(long revision) {
        if (revision < 0) {
            throw new IllegalArgumentException("revision must be >= 0: " + revision);
        }
    }

    private static void requireCasToken(long expectedModRevision) {
        if (expectedModRevision <= 0) {
            throw new IllegalArgumentException("expectedModRevision must be positive: " + expectedModRevision);
        }
    }

    private static PutOption putOption(long lease) {
        return PutOption.builder().withLeaseId(lease).withPrevKV().build();
    }

    private static KeyValue previous(PutResponse put) {
        return put.hasPrevKv() ? EtcdCodec.keyValue(put.getPrevKv()) : null;
    }

    private static KeyValue firstKv(List<GetResponse> reads) {
        if (reads.isEmpty() || reads.getFirst().getKvs().isEmpty()) {
            return null;
        }
        return EtcdCodec.keyValue(reads.getFirst().getKvs().getFirst());
    }

    /**
     * The key as a put at {@code revision} left it, from the value it replaced: etcd's put response
     * carries only the revision, and the rest follows from etcd's rules (a new incarnation starts at
     * version 1 with its own revision as create revision; a replacement keeps the create revision and
     * counts one more version).
     */
    private static KeyValue written(String key, byte[] value, long lease, long revision, KeyValue previous) {
        byte[] copy = value.clone();
        if (previous == null) {
            return new KeyValue(key, copy, revision, revision, 1, lease);
        }
        return new KeyValue(key, copy, previous.createRevision(), revision, previous.version() + 1, lease);
    }
}
