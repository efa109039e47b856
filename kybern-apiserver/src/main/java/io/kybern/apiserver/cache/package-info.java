/**
 * The watch cache: per resource, the current objects and a window of recent changes, kept from one
 * store watch, so that watches and {@code resourceVersion=0} lists are served from memory in a form
 * that is encoded once, however many clients read it (as Kubernetes' cacher does).
 */
package io.kybern.apiserver.cache;
