package io.kybern.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.api.selector.LabelSelector;
import io.kybern.controllers.podautoscaler.ReplicaCalculator.CalculationException;
import io.kybern.controllers.podautoscaler.ReplicaCalculator.PodInfo;
import io.kybern.controllers.podautoscaler.ReplicaCalculator.Proposal;
import io.kybern.controllers.podautoscaler.ScalingBehavior.Decision;
import io.kybern.controllers.runtime.ApiErrors;
import io.kybern.controllers.runtime.ApiResources;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Reconciler;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Kubernetes' horizontal pod autoscaler controller for {@code autoscaling/v2}: every 15 s per autoscaler it
 * reads the target's scale subresource (any kind that has one: Deployment, ReplicaSet, StatefulSet, custom
 * resources), the target's pods (by the scale's selector) and their usage from the resource metrics API
 * ({@code metrics.k8s.io}, through the API server), proposes a count with {@link ReplicaCalculator}, holds it
 * to {@code spec.behavior} with {@link ScalingBehavior}, writes the scale when it changes (event
 * {@code SuccessfulRescale}), and reports conditions AbleToScale, ScalingActive and ScalingLimited,
 * currentMetrics, desiredReplicas and lastScaleTime. Resource metrics only: Pods, Object and External
 * metrics need a custom or external metrics API, which Kybern does not serve; they are reported as failing.
 */
public final class HorizontalPodAutoscalerController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "horizontal-pod-autoscaler";
    /** kube-controller-manager's --horizontal-pod-autoscaler-sync-period. */
    static final Duration SYNC_PERIOD = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final SharedIndexInformer<HorizontalPodAutoscaler> autoscalers;
    private final SharedIndexInformer<Pod> pods;
    private final InstantSource clock;
    private final EventRecorder recorder;
    private final PodMetricsReader metrics;
    private final Map<ObjectKey, ScalingBehavior> behaviors = new ConcurrentHashMap<>();
    private volatile ApiResources resources;

    public HorizontalPodAutoscalerController(KubernetesClient client,
            SharedIndexInformer<HorizontalPodAutoscaler> autoscalers, SharedIndexInformer<Pod> pods,
            InstantSource clock) {
        this.client = client;
        this.autoscalers = autoscalers;
        this.pods = pods;
        this.clock = clock;
        this.recorder = new EventRecorder(client, COMPONENT, clock);
        this.metrics = new PodMetricsReader(client);
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        autoscalers.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler hpa) {
                enqueue.accept(ObjectKey.of(hpa));
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler before, HorizontalPodAutoscaler after) {
                // Only spec changes: the controller's own status writes would otherwise re-run it at once.
                if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
                    enqueue.accept(ObjectKey.of(after));
                }
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler hpa, boolean finalStateUnknown) {
                behaviors.remove(ObjectKey.of(hpa));
            }
        });
    }

    @Override
    public Result reconcile(ObjectKey key) {
        HorizontalPodAutoscaler hpa = autoscalers.getStore().getByKey(key.cacheKey());
        if (hpa == null || hpa.getMetadata().getDeletionTimestamp() != null) {
            behaviors.remove(key);
            return Result.done();
        }
        new Sync(hpa, behaviors.computeIfAbsent(key, k -> new ScalingBehavior())).run();
        return Result.requeueAfter(SYNC_PERIOD);
    }

    /** One pass over one autoscaler; gathers the status it then writes once. */
    private final class Sync {
        private final HorizontalPodAutoscaler hpa;
        private final ScalingBehavior behavior;
        private final Instant now = clock.instant();
        private final List<HorizontalPodAutoscalerCondition> conditions;
        private List<MetricStatus> currentMetrics;

        Sync(HorizontalPodAutoscaler hpa, ScalingBehavior behavior) {
            this.hpa = hpa;
            this.behavior = behavior;
            HorizontalPodAutoscalerStatus status = hpa.getStatus();
            this.conditions = new ArrayList<>(status == null || status.getConditions() == null ? List.of()
                    : status.getConditions());
            this.currentMetrics = status == null ? null : status.getCurrentMetrics();
        }

        void run() {
            String namespace = hpa.getMetadata().getNamespace();
            var target = hpa.getSpec().getScaleTargetRef();
            Optional<ApiResources.Resource> resource = resourceOf(target.getApiVersion(), target.getKind());
            Scale scale;
            try {
                if (resource.isEmpty()) {
                    throw new IllegalStateException("no matches for kind \"" + target.getKind() + "\" in group \""
                            + group(target.getApiVersion()) + "\"");
                }
                scale = client.genericKubernetesResources(resource.get().context()).inNamespace(namespace)
                        .withName(target.getName()).scale();
                if (scale == null) {
                    throw new IllegalStateException(resource.get().groupResource() + " \"" + target.getName()
                            + "\" not found");
                }
            } catch (RuntimeException e) {
                String message = ApiErrors.message(e);
                condition("AbleToScale", "False", "FailedGetScale",
                        "the HPA controller was unable to get the target's current scale: " + message);
                recorder.warning(hpa, "FailedGetScale", message);
                writeStatus(currentReplicas(), desiredReplicas(), false);
                return;
            }
            condition("AbleToScale", "True", "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale");
            int current = scale.getSpec() == null || scale.getSpec().getReplicas() == null ? 0
                    : scale.getSpec().getReplicas();
            int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
            int max = hpa.getSpec().getMaxReplicas();
            int desired;
            String reason;
            if (current == 0 && min != 0) {
                condition("ScalingActive", "False", "ScalingDisabled",
                        "scaling is disabled since the replica count of the target is zero");
                currentMetrics = null;
                writeStatus(current, 0, false);
                return;
            } else if (current > max) {
                desired = max;
                reason = "Current number of replicas above Spec.MaxReplicas";
                limited(desired, current);
            } else if (current < min) {
                desired = min;
                reason = "Current number of replicas below Spec.MinReplicas";
                limited(desired, current);
            } else {
                String selector = scale.getStatus() == null ? null : scale.getStatus().getSelector();
                if (selector == null || selector.isEmpty()) {
                    condition("ScalingActive", "False", "InvalidSelector",
                            "the HPA target's scale is missing a selector");
                    recorder.warning(hpa, "SelectorRequired", "selector is required");
                    writeStatus(current, desiredReplicas(), false);
                    return;
                }
                Optional<MetricsProposal> proposal = proposeFromMetrics(current, namespace, selector);
                if (proposal.isEmpty()) {
                    writeStatus(current, desiredReplicas(), false);
                    return;
                }
                int proposed = proposal.get().replicas();
                condition("ScalingActive", "True", "ValidMetricFound",
                        "the HPA was able to successfully calculate a replica count from " + proposal.get().metric());
                reason = proposed > current ? proposal.get().metric() + " above target" : "All metrics below target";
                Decision decision = decide(current, proposed, min, max);
                desired = decision.replicas();
                condition("AbleToScale", "True", decision.stabilizedReason(), decision.stabilizedMessage());
                if (decision.limited() && desired != proposed) {
                    condition("ScalingLimited", "True", decision.limitReason(), decision.limitMessage());
                } else {
                    condition("ScalingLimited", "False", "DesiredWithinRange",
                            "the desired count is within the acceptable range");
                }
            }
            if (desired == current) {
                writeStatus(current, desired, false);
                return;
            }
            try {
                scale.getSpec().setReplicas(desired);
                client.genericKubernetesResources(resource.get().context()).inNamespace(namespace)
                        .withName(target.getName()).scale(scale);
            } catch (RuntimeException e) {
                recorder.warning(hpa, "FailedRescale", "New size: " + desired + "; reason: " + reason + "; error: "
                        + e.getMessage());
                condition("AbleToScale", "False", "FailedUpdateScale",
                        "the HPA controller was unable to update the target scale: " + e.getMessage());
                writeStatus(current, desiredReplicas(), false);
                return;
            }
            condition("AbleToScale", "True", "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + desired);
            recorder.normal(hpa, "SuccessfulRescale", "New size: " + desired + "; reason: " + reason);
            behavior.scaled(current, desired, now);
            writeStatus(current, desired, true);
        }

        private void limited(int desired, int current) {
            condition("ScalingLimited", "True", desired > current ? "TooFewReplicas" : "TooManyReplicas",
                    desired > current ? "the desired replica count is less than the minimum replica count"
                            : "the desired replica count is more than the maximum replica count");
        }

        private Decision decide(int current, int proposed, int min, int max) {
            HorizontalPodAutoscalerBehavior spec = hpa.getSpec().getBehavior();
            if (spec == null) {
                return behavior.decideWithoutBehavior(current, proposed, min, max, now);
            }
            return behavior.decide(current, proposed, min, max,
                    rules(spec.getScaleUp(), ScalingBehavior.DEFAULT_SCALE_UP),
                    rules(spec.getScaleDown(), ScalingBehavior.DEFAULT_SCALE_DOWN), now);
        }

        /** The largest proposal of the metrics, or empty (with ScalingActive False and events) if any failed. */
        private Optional<MetricsProposal> proposeFromMetrics(int current, String namespace, String selector) {
            LabelSelector parsed = LabelSelector.parse(selector);
            List<Pod> selected = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
                    .filter(pod -> parsed.matches(pod.getMetadata().getLabels() == null ? Map.of()
                            : pod.getMetadata().getLabels()))
                    .toList();
            List<MetricSpec> specs = hpa.getSpec().getMetrics() == null ? List.of() : hpa.getSpec().getMetrics();
            MetricsProposal best = null;
            List<MetricStatus> statuses = new ArrayList<>();
            String firstError = null;
            int invalid = 0;
            for (MetricSpec spec : specs) {
                try {
                    MetricsProposal proposal = proposeFrom(spec, current, namespace, selector, selected);
                    statuses.add(proposal.status());
                    if (best == null || proposal.replicas() > best.replicas()) {
                        best = proposal;
                    }
                } catch (MetricFailure failure) {
                    invalid++;
                    if (firstError == null) {
                        firstError = failure.getMessage();
                        condition("ScalingActive", "False", failure.reason,
                                "the HPA was unable to compute the replica count: " + failure.getMessage());
                    }
                    recorder.warning(hpa, failure.reason, failure.getMessage());
                }
            }
            if (invalid > 0) {
                // As Kubernetes: with some metrics invalid, scale only up on the valid ones, never down.
                recorder.warning(hpa, "FailedComputeMetricsReplicas", "invalid metrics (" + invalid + " invalid out of "
                        + specs.size() + "), first error is: " + firstError);
                if (best == null || best.replicas() <= current) {
                    currentMetrics = statuses.isEmpty() ? null : statuses;
                    return Optional.empty();
                }
            }
            currentMetrics = statuses.isEmpty() ? null : statuses;
            return Optional.ofNullable(best);
        }

        private MetricsProposal proposeFrom(MetricSpec spec, int current, String namespace, String selector,
                List<Pod> selected) throws MetricFailure {
            if (!"Resource".equals(spec.getType()) || spec.getResource() == null) {
                String type = spec.getType() == null ? "" : spec.getType();
                throw new MetricFailure("FailedGet" + type + "Metric", "unable to get metric of type " + type
                        + ": Kybern serves only the resource metrics API (metrics.k8s.io), not custom or external "
                        + "metrics");
            }
            String resource = spec.getResource().getName();
            var target = spec.getResource().getTarget();
            boolean utilization = "Utilization".equals(target.getType());
            try {
                var samples = metrics.usage(namespace, selector, resource);
                List<PodInfo> infos = selected.stream().map(pod -> info(pod, resource)).toList();
                Proposal proposal;
                if (utilization) {
                    int targetUtilization = target.getAverageUtilization() == null ? 80
                            : target.getAverageUtilization();
                    proposal = ReplicaCalculator.forUtilization(current, targetUtilization, resource, infos, samples,
                            now);
                } else {
                    double targetAverage = target.getAverageValue().getNumericalAmount().doubleValue();
                    proposal = ReplicaCalculator.forAverageValue(current, targetAverage, resource, infos, samples, now);
                }
                MetricStatus status = new MetricStatusBuilder().withType("Resource").withNewResource()
                        .withName(resource).withNewCurrent().withAverageUtilization(proposal.currentUtilization())
                        .withAverageValue(quantity(resource, proposal.currentAverage())).endCurrent().endResource()
                        .build();
                String metric = resource + " resource" + (utilization ? " utilization (percentage of request)" : "");
                return new MetricsProposal(proposal.replicas(), metric, status);
            } catch (PodMetricsReader.UnavailableException | CalculationException e) {
                throw new MetricFailure("FailedGetResourceMetric",
                        "failed to get " + resource + (utilization ? " utilization: " : " usage: ") + e.getMessage());
            }
        }

        private void condition(String type, String status, String reason, String message) {
            for (int i = 0; i < conditions.size(); i++) {
                HorizontalPodAutoscalerCondition existing = conditions.get(i);
                if (existing.getType().equals(type)) {
                    String since = existing.getStatus().equals(status) ? existing.getLastTransitionTime()
                            : timestamp(now);
                    conditions.set(i, new HorizontalPodAutoscalerCondition(since, message, null, reason, status, type));
                    return;
                }
            }
            conditions.add(new HorizontalPodAutoscalerCondition(timestamp(now), message, null, reason, status, type));
        }

        private int currentReplicas() {
            return hpa.getStatus() == null || hpa.getStatus().getCurrentReplicas() == null ? 0
                    : hpa.getStatus().getCurrentReplicas();
        }

        private int desiredReplicas() {
            return hpa.getStatus() == null || hpa.getStatus().getDesiredReplicas() == null ? 0
                    : hpa.getStatus().getDesiredReplicas();
        }

        private void writeStatus(int current, int desired, boolean rescaled) {
            HorizontalPodAutoscalerStatus before = hpa.getStatus();
            HorizontalPodAutoscalerStatus status = new HorizontalPodAutoscalerStatus();
            status.setCurrentReplicas(current);
            status.setDesiredReplicas(desired);
            status.setCurrentMetrics(currentMetrics);
            status.setConditions(sorted(conditions));
            status.setObservedGeneration(hpa.getMetadata().getGeneration());
            status.setLastScaleTime(rescaled ? timestamp(now) : before == null ? null : before.getLastScaleTime());
            if (status.equals(before)) {
                return;
            }
            HorizontalPodAutoscaler updated = new HorizontalPodAutoscaler(hpa.getApiVersion(), hpa.getKind(),
                    hpa.getMetadata(), hpa.getSpec(), status);
            try {
                client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(hpa.getMetadata().getNamespace())
                        .resource(updated).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                // A newer version or none: the next pass writes from it.
            }
        }
    }

    /** Kubernetes lists the three conditions in this order. */
    private static List<HorizontalPodAutoscalerCondition> sorted(List<HorizontalPodAutoscalerCondition> conditions) {
        List<String> order = List.of("AbleToScale", "ScalingActive", "ScalingLimited");
        return conditions.stream().sorted(java.util.Comparator.comparingInt(c -> {
            int index = order.indexOf(c.getType());
            return index < 0 ? order.size() : index;
        })).toList();
    }

    private record MetricsProposal(int replicas, String metric, MetricStatus status) {
    }

    private static final class MetricFailure extends Exception {
        final String reason;

        MetricFailure(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private static ScalingBehavior.Rules rules(HPAScalingRules rules, ScalingBehavior.Rules defaults) {
        if (rules == null) {
            return defaults;
        }
        Duration window = rules.getStabilizationWindowSeconds() == null ? defaults.stabilizationWindow()
                : Duration.ofSeconds(rules.getStabilizationWindowSeconds());
        String select = rules.getSelectPolicy() == null ? "Max" : rules.getSelectPolicy();
        List<ScalingBehavior.Policy> policies = rules.getPolicies() == null || rules.getPolicies().isEmpty()
                ? defaults.policies()
                : rules.getPolicies().stream().map(p -> new ScalingBehavior.Policy(p.getType(), p.getValue(),
                        Duration.ofSeconds(p.getPeriodSeconds()))).toList();
        return new ScalingBehavior.Rules(window, select, policies);
    }

    private Optional<ApiResources.Resource> resourceOf(String apiVersion, String kind) {
        ApiResources known = resources;
        Optional<ApiResources.Resource> found = known == null ? Optional.empty() : known.byKind(apiVersion, kind);
        if (found.isEmpty()) {
            // A kind defined since (a custom resource), or the first pass: read discovery again.
            resources = ApiResources.discover(client);
            found = resources.byKind(apiVersion, kind);
        }
        return found;
    }

    private static String group(String apiVersion) {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private static PodInfo info(Pod pod, String resource) {
        Optional<PodCondition> ready = pod.getStatus() == null || pod.getStatus().getConditions() == null
                ? Optional.empty()
                : pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
        Double request = 0.0;
        for (Container container : pod.getSpec().getContainers()) {
            Quantity quantity = container.getResources() == null || container.getResources().getRequests() == null
                    ? null : container.getResources().getRequests().get(resource);
            if (quantity == null) {
                request = null;
                break;
            }
            request += quantity.getNumericalAmount().doubleValue();
        }
        String startTime = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        return new PodInfo(pod.getMetadata().getName(), pod.getStatus() == null ? null : pod.getStatus().getPhase(),
                pod.getMetadata().getDeletionTimestamp() != null,
                ready.map(c -> "True".equals(c.getStatus())).orElse(false),
                ready.map(PodCondition::getLastTransitionTime).map(Instant::parse).orElse(null),
                startTime == null ? null : Instant.parse(startTime), request);
    }

    /** A resource's figure as Kubernetes writes it in currentMetrics: milli-units. */
    private static Quantity quantity(String resource, double amount) {
        long millis = BigDecimal.valueOf(amount).movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValue();
        if (millis % 1000 == 0) {
            return new Quantity(Long.toString(millis / 1000));
        }
        return new Quantity(millis + "m");
    }

    private static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
