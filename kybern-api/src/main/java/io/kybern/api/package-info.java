/** The Kubernetes API as data: which resources exist, how objects are encoded and checked. */
package io.kybern.api;
