package io.kybern.apiserver.http;

/** Serves requests. Called on a virtual thread per request, so it may block. */
public interface ApiHandler {

    void handle(ApiRequest request, ApiResponder responder);
}
