/**
 * Streams of exec, attach and port-forward that the API server does not merely pass on: WebSocket clients
 * (kubectl 1.30 and later) translated to the SPDY/3.1 sessions the node agent's runtime speaks.
 */
package io.kybern.apiserver.streaming;
