/**
 * Kubernetes' OpenAPI documents, generated from {@link io.kybern.api.schema.Schemas} and the resource
 * catalog: one OpenAPI 3.0 document per group-version ({@code /openapi/v3/apis/apps/v1}) and one
 * Swagger 2.0 document for everything ({@code /openapi/v2}), with Kubernetes' definition names and
 * {@code x-kubernetes-*} extensions, so that {@code kubectl explain}, {@code kubectl apply} and
 * server-side field validation discovery work as they do against kube-apiserver.
 */
package io.kybern.api.openapi;
