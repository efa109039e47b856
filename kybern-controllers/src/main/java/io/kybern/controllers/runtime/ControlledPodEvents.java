package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A workload controller's pod events turned into owner keys, as Kubernetes' ReplicaSet, DaemonSet,
 * StatefulSet and Job controllers turn them (their {@code addPod}, {@code updatePod} and {@code deletePod}):
 * <ul>
 * <li>a pod with a controlling owner of the kind wakes that owner, and tells the owner's expectations that
 * a creation or deletion it may have been waiting for was seen; a pod that arrives already deleting counts
 * as a deletion, never as a creation, or an owner could stop waiting for a pod it is still creating;
 * <li>a pod whose controller changed wakes its former owner too;
 * <li>a pod without a controller wakes the owners whose selector matches it, so one can adopt it, when it
 * arrives, when its labels change and when it was released.
 * </ul>
 */
public final class ControlledPodEvents implements ResourceEventHandler<Pod> {

    /** For a controller that never adopts: a Job's selector is its own, generated for it. */
    public static final Function<Pod, List<ObjectKey>> NO_ADOPTERS = pod -> List.of();

    private final String ownerKind;
    private final Optional<Expectations<ObjectKey>> expectations;
    private final Function<Pod, List<ObjectKey>> adopters;
    private final Consumer<ObjectKey> enqueue;

    private ControlledPodEvents(String ownerKind, Optional<Expectations<ObjectKey>> expectations,
            Function<Pod, List<ObjectKey>> adopters, Consumer<ObjectKey> enqueue) {
        this.ownerKind = ownerKind;
        this.expectations = expectations;
        this.adopters = adopters;
        this.enqueue = enqueue;
    }

    /**
     * @param ownerKind the kind of controller reference the controller follows, say {@code ReplicaSet}
     * @param adopters  the owners whose selector matches an orphan pod
     */
    public static ControlledPodEvents withExpectations(String ownerKind, Expectations<ObjectKey> expectations,
            Function<Pod, List<ObjectKey>> adopters, Consumer<ObjectKey> enqueue) {
        return new ControlledPodEvents(ownerKind, Optional.of(expectations), adopters, enqueue);
    }

    /** For a controller that keeps no expectations (the StatefulSet controller creates pods one at a time). */
    public static ControlledPodEvents withoutExpectations(String ownerKind, Function<Pod, List<ObjectKey>> adopters,
            Consumer<ObjectKey> enqueue) {
        return new ControlledPodEvents(ownerKind, Optional.empty(), adopters, enqueue);
    }

    /** The key of the pod's controller when it is of {@code ownerKind}, in the pod's namespace. */
    public static Optional<ObjectKey> controllerKey(Pod pod, String ownerKind) {
        return Owners.controllerOf(pod).filter(ref -> ownerKind.equals(ref.getKind()))
                .map(ref -> new ObjectKey(pod.getMetadata().getNamespace(), ref.getName()));
    }

    @Override
    public void onAdd(Pod pod) {
        Optional<ObjectKey> owner = controllerKey(pod, ownerKind);
        if (owner.isPresent()) {
            if (Owners.deleting(pod)) {
                expectations.ifPresent(e -> e.deletionObserved(owner.get(), pod.getMetadata().getUid()));
            } else {
                expectations.ifPresent(e -> e.creationObserved(owner.get()));
            }
            enqueue.accept(owner.get());
        } else if (Owners.controllerOf(pod).isEmpty()) {
            adopters.apply(pod).forEach(enqueue);
        }
    }

    @Override
    public void onUpdate(Pod before, Pod after) {
        Optional<ObjectKey> owner = controllerKey(after, ownerKind);
        if (owner.isPresent() && Owners.deleting(after) && !Owners.deleting(before)) {
            expectations.ifPresent(e -> e.deletionObserved(owner.get(), after.getMetadata().getUid()));
        }
        controllerKey(before, ownerKind).filter(former -> !former.equals(owner.orElse(null))).ifPresent(enqueue);
        owner.ifPresent(enqueue);
        boolean released = Owners.controllerOf(before).isPresent();
        boolean relabelled = !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels());
        if (Owners.controllerOf(after).isEmpty() && (relabelled || released)) {
            adopters.apply(after).forEach(enqueue);
        }
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
        controllerKey(pod, ownerKind).ifPresent(owner -> {
            expectations.ifPresent(e -> e.deletionObserved(owner, pod.getMetadata().getUid()));
            enqueue.accept(owner);
        });
    }
}
