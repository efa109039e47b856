package io.kybern.apiserver.http;

import java.util.List;
import java.util.Map;

/**
 * One HTTP request, whole: the body is already read (and was refused if over the limit).
 *
 * @param method  the HTTP method, upper case
 * @param path    the decoded path, without the query
 * @param query   query parameters
 * @param headers header values by lower-case name
 * @param body    the body bytes, empty if none
 * @param user    who sent it
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query,
        Map<String, List<String>> headers, byte[] body, UserInfo user) {

    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
