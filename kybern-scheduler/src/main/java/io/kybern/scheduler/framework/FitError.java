package io.kybern.scheduler.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why a pod fits no node, worded as kube-scheduler words its FailedScheduling event:
 * {@code 0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.} — each
 * reason once with the number of nodes that gave it, sorted as strings — followed by what preemption
 * said, if it ran.
 */
public record FitError(int allNodes, Map<String, Status> rejections, String preFilterMessage,
        String postFilterMessage) {

    public FitError {
        rejections = Map.copyOf(rejections);
        preFilterMessage = preFilterMessage == null ? "" : preFilterMessage;
        postFilterMessage = postFilterMessage == null ? "" : postFilterMessage;
    }

    public FitError withPostFilterMessage(String message) {
        return new FitError(allNodes, rejections, preFilterMessage, message);
    }

    /** What kube-scheduler says when there is no node at all. */
    public static final String NO_NODES = "no nodes available to schedule pods";

    public String message() {
        if (allNodes == 0) {
            return NO_NODES;
        }
        StringBuilder message = new StringBuilder("0/").append(allNodes).append(" nodes are available:");
        if (!preFilterMessage.isEmpty()) {
            message.append(' ').append(preFilterMessage).append('.');
        } else {
            message.append(' ').append(histogram(rejections.values())).append('.');
        }
        if (!postFilterMessage.isEmpty()) {
            message.append(' ').append(postFilterMessage);
        }
        return message.toString();
    }

    /** "n reason" for each distinct reason, sorted as strings (Kubernetes sorts them so), joined by ", ". */
    public static String histogram(Iterable<Status> statuses) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Status status : statuses) {
            for (String reason : status.reasons()) {
                counts.merge(reason, 1, Integer::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((reason, count) -> parts.add(count + " " + reason));
        parts.sort(null);
        return String.join(", ", parts);
    }
}
