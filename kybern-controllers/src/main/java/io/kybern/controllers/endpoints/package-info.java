/**
 * The Endpoints and EndpointSlice controllers: the addresses of the pods a Service's selector picks, with
 * their ports resolved per pod, as Kubernetes' endpoint and endpointslice controllers publish them.
 */
package io.kybern.controllers.endpoints;
