/**
 * The log-structured core shared by the embedded backends (sqlite and memory): the store is an
 * append-only log of {@link io.kybern.store.log.Row}s, one per revision; a key's value at a revision
 * is its latest row at or below it. Write semantics ({@link io.kybern.store.log.Mutation}), watch
 * fan-out with catch-up from the log ({@link io.kybern.store.log.WatchHub}) and lease timing
 * ({@link io.kybern.store.log.LeaseClock}) are written once here, so both backends behave alike.
 */
package io.kybern.store.log;
