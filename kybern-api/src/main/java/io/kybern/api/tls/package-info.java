/**
 * What the server and the node agent share about TLS: JDK contexts made from the cluster's certificates, and
 * the names a certificate answers to.
 */
package io.kybern.api.tls;
