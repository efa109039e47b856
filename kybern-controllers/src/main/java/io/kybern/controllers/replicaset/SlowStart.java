package io.kybern.controllers.replicaset;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Kubernetes' slow start (slowStartBatch): {@code count} calls in batches of 1, 2, 4..., the calls of one
 * batch at once (each on a virtual thread), the next batch only once every call of this one has answered,
 * and no batch after one where a call failed. A creation that keeps failing (a bad template, a
 * terminating namespace) so fails a few times instead of {@code count} times, while creations that work
 * are not made to wait for one another.
 */
final class SlowStart {

    /**
     * What happened.
     *
     * @param attempted how many calls were made; the others were not tried
     * @param failure   the first failure, in the order the calls were started
     */
    record Outcome<F>(int attempted, Optional<F> failure) {
    }

    private SlowStart() {
    }

    /**
     * Makes up to {@code count} calls of {@code call}, which answers a failure or empty; a call that throws
     * counts as failed, with the failure {@code thrown} makes of its exception.
     */
    static <F> Outcome<F> run(int count, Supplier<Optional<F>> call, Function<Throwable, F> thrown) {
        int done = 0;
        int batch = 1;
        while (done < count) {
            int size = Math.min(batch, count - done);
            Optional<F> failure = size == 1 ? once(call, thrown) : together(size, call, thrown);
            done += size;
            if (failure.isPresent()) {
                return new Outcome<>(done, failure);
            }
            batch *= 2;
        }
        return new Outcome<>(done, Optional.empty());
    }

    private static <F> Optional<F> once(Supplier<Optional<F>> call, Function<Throwable, F> thrown) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return Optional.of(thrown.apply(e));
        }
    }

    private static <F> Optional<F> together(int size, Supplier<Optional<F>> call, Function<Throwable, F> thrown) {
        List<Future<Optional<F>>> calls = new ArrayList<>(size);
        try (ExecutorService batch = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < size; i++) {
                calls.add(batch.submit(call::get));
            }
        } // closing waits for every call of the batch
        Optional<F> first = Optional.empty();
        for (Future<Optional<F>> answered : calls) {
            Optional<F> failure = switch (answered.state()) {
                case SUCCESS -> answered.resultNow();
                case FAILED -> Optional.of(thrown.apply(answered.exceptionNow()));
                // Cancelled: the worker was interrupted (the controller is stopping) before the call ran.
                default -> Optional.of(thrown.apply(new InterruptedException("not run: the controller is stopping")));
            };
            if (first.isEmpty()) {
                first = failure;
            }
        }
        return first;
    }
}
