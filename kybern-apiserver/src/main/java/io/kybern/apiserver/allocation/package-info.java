/**
 * Cluster-wide resources handed out to objects: Service cluster IPs from the service CIDR and node ports
 * from 30000-32767. Each claim is a key in the store, created only if absent, so two API servers on one
 * etcd can never hand out the same address.
 */
package io.kybern.apiserver.allocation;
