/**
 * Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}) of built-in kinds,
 * converted to and from the JSON trees the API server keeps. The message structure comes from the
 * descriptors Kubernetes publishes; what the descriptors leave out (Go's JSON names and zero-value
 * rules) comes from {@code go-field-shapes.txt}. See {@code docs/decisions/0004-protobuf.md}.
 */
package io.kybern.api.protobuf;
