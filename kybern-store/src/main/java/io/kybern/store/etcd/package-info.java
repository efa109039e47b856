/**
 * The {@link io.kybern.store.Store} on a real etcd v3 server ({@link io.kybern.store.etcd.EtcdStore}),
 * and {@link io.kybern.store.etcd.LocalEtcd}, which runs one on this machine for tests and benchmarks.
 */
package io.kybern.store.etcd;
