package io.kybern.controllers.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * The arithmetic of a rolling update, free of API objects so it can be tested alone: resolving
 * maxSurge/maxUnavailable against the replica count, and how far one step may scale the new ReplicaSet
 * up and the old ones down.
 */
final class Rollout {

    private Rollout() {
    }

    /** maxSurge and maxUnavailable as pod counts. */
    record Fenceposts(int maxSurge, int maxUnavailable) {
    }

    /**
     * Resolves both limits against {@code replicas}: a percentage of the surge is rounded up, of the
     * unavailability down (so a rollout never goes below what was asked for); when both come out as zero,
     * one pod may be unavailable, or the rollout could never start.
     */
    static Fenceposts resolve(IntOrString maxSurge, IntOrString maxUnavailable, int replicas) {
        int surge = scaled(maxSurge, replicas, true);
        int unavailable = scaled(maxUnavailable, replicas, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new Fenceposts(surge, unavailable);
    }

    /** A number as it is, or a percentage of {@code total}; {@code "25%"} by default (Kubernetes' default). */
    static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            value = new IntOrString("25%");
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal();
        if (text == null || !text.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        long scaled = (long) percent * total;
        return (int) (roundUp ? Math.ceilDiv(scaled, 100) : Math.floorDiv(scaled, 100));
    }

    /**
     * The new ReplicaSet's replicas after one step up: the whole Deployment may have at most
     * {@code replicas + maxSurge} pods asked for, and the new set never more than {@code replicas}.
     *
     * @param allSpecReplicas {@code spec.replicas} summed over every ReplicaSet, new and old
     */
    static int newReplicasAfterScaleUp(int replicas, int maxSurge, int newSpecReplicas, int allSpecReplicas) {
        if (newSpecReplicas >= replicas) {
            return replicas;
        }
        int room = replicas + maxSurge - allSpecReplicas;
        if (room <= 0) {
            return newSpecReplicas;
        }
        return newSpecReplicas + Math.min(room, replicas - newSpecReplicas);
    }

    /**
     * How many old pods one step may take away without going below {@code replicas - maxUnavailable}
     * available pods: unavailable pods of the new set are counted as if they were going to be missing too.
     */
    static int maxScaleDown(int replicas, int maxUnavailable, int allSpecReplicas, int newSpecReplicas,
            int newAvailable) {
        int minAvailable = replicas - maxUnavailable;
        int newUnavailable = newSpecReplicas - newAvailable;
        return Math.max(0, allSpecReplicas - minAvailable - newUnavailable);
    }

    /** How many available old pods may go: those above {@code replicas - maxUnavailable}. */
    static int availableScaleDown(int replicas, int maxUnavailable, int allAvailable) {
        return Math.max(0, allAvailable - (replicas - maxUnavailable));
    }

    /**
     * The share of a scaling event for one ReplicaSet of a Deployment in mid-rollout: its size in proportion
     * to the Deployment's new allowed size ({@code replicas + maxSurge}) against the allowed size it was last
     * sized for (its {@code max-replicas} annotation), rounded to the nearest pod; the change, not the size.
     */
    static int proportion(int rsSpecReplicas, int newAllowed, int annotatedMaxReplicas) {
        if (rsSpecReplicas == 0 || annotatedMaxReplicas <= 0) {
            return 0;
        }
        long scaled = Math.round((double) rsSpecReplicas * newAllowed / annotatedMaxReplicas);
        return (int) (scaled - rsSpecReplicas);
    }
}
