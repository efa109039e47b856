/**
 * Authorization: whether a user may do something, asked once per request after authentication, and by
 * the access-review APIs ({@code kubectl auth can-i}). RBAC implements {@link io.kybern.apiserver.authz.Authorizer}
 * when it comes; until then every authenticated user may do everything.
 */
package io.kybern.apiserver.authz;
