package io.kybern.scheduler.framework;

import java.util.List;

/**
 * What a plugin says about a pod (and a node): success, or why not. {@code UNSCHEDULABLE} means another
 * node or a preemption could help; {@code UNRESOLVABLE} means nothing on this node will (the node's name
 * or labels do not match), so preemption skips it. Reasons are worded as Kubernetes words them, since
 * they end up in the FailedScheduling event.
 */
public record Status(Code code, List<String> reasons, String plugin) {

    public enum Code { SUCCESS, UNSCHEDULABLE, UNRESOLVABLE, ERROR, SKIP }

    public static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), "");
    public static final Status SKIP = new Status(Code.SKIP, List.of(), "");

    public Status {
        reasons = List.copyOf(reasons);
        plugin = plugin == null ? "" : plugin;
    }

    public static Status unschedulable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE, List.of(reasons), "");
    }

    public static Status unresolvable(String... reasons) {
        return new Status(Code.UNRESOLVABLE, List.of(reasons), "");
    }

    public static Status error(String reason) {
        return new Status(Code.ERROR, List.of(reason), "");
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isSkip() {
        return code == Code.SKIP;
    }

    public boolean isRejection() {
        return code == Code.UNSCHEDULABLE || code == Code.UNRESOLVABLE;
    }

    Status from(String pluginName) {
        return new Status(code, reasons, pluginName);
    }

    public String message() {
        return String.join(", ", reasons);
    }
}
