/**
 * The resource quota controller: keeps each ResourceQuota's {@code status.hard} and {@code status.used} (object
 * counts and compute and storage requests in its namespace, within its scopes). Enforcement at admission is
 * the API server's, not this package's.
 */
package io.kybern.controllers.quota;
