/** The Kubernetes API server: HTTPS, the request pipeline and REST storage over a {@code Store}. */
package io.kybern.apiserver;
