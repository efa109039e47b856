package io.kybern.controllers;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kybern.controllers.cronjob.CronJobController;
import io.kybern.controllers.daemonset.DaemonSetController;
import io.kybern.controllers.deployment.DeploymentController;
import io.kybern.controllers.disruption.DisruptionController;
import io.kybern.controllers.endpoints.EndpointSliceController;
import io.kybern.controllers.endpoints.EndpointsController;
import io.kybern.controllers.gc.GarbageCollector;
import io.kybern.controllers.job.JobController;
import io.kybern.controllers.job.TtlAfterFinishedController;
import io.kybern.controllers.namespace.NamespaceController;
import io.kybern.controllers.nodelifecycle.NodeLifecycleController;
import io.kybern.controllers.nodelifecycle.TaintEvictionController;
import io.kybern.controllers.podautoscaler.HorizontalPodAutoscalerController;
import io.kybern.controllers.podgc.PodGarbageCollector;
import io.kybern.controllers.quota.ResourceQuotaController;
import io.kybern.controllers.replicaset.ReplicaController;
import io.kybern.controllers.runtime.Backoff;
import io.kybern.controllers.runtime.Controller;
import io.kybern.controllers.runtime.Informers;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.SharedInformers;
import io.kybern.controllers.runtime.WorkQueue;
import io.kybern.controllers.serviceaccount.ServiceAccountController;
import io.kybern.controllers.volume.LocalPathProvisioner;
import io.kybern.controllers.volume.PersistentVolumeController;
import java.nio.file.Path;
import io.kybern.controllers.statefulset.StatefulSetController;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kybern's kube-controller-manager: the controllers of this module over one API client, sharing one
 * informer per kind. With leader election on, they run only while this process holds the
 * {@code kube-system/kube-controller-manager} Lease (fabric8's LeaderElector), so several servers on one
 * datastore never run two of each; with it off (one server), they run at once.
 */
public final class ControllerManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);

    /**
     * What the user asked for.
     *
     * @param leaderElection whether to run only while holding the Lease
     * @param identity       this candidate's name in the Lease
     * @param clock          the time every controller reads
     * @param localVolumes   where the {@code local-path} provisioner keeps volumes; null leaves it (and the
     *                       default StorageClass) off
     */
    public record Config(boolean leaderElection, String identity, InstantSource clock, Path localVolumes) {
        public Config {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(clock, "clock");
        }

        /** Without the local-path provisioner. */
        public Config(boolean leaderElection, String identity, InstantSource clock) {
            this(leaderElection, identity, clock, null);
        }
    }

    static final String LEASE_NAMESPACE = "kube-system";
    static final String LEASE_NAME = "kube-controller-manager";
    static final Duration CACHE_SYNC_TIMEOUT = Duration.ofSeconds(60);
    /** How often discovery is read again, so the collector watches custom resources defined meanwhile. */
    static final Duration REDISCOVERY = Duration.ofSeconds(30);

    private final KubernetesClient client;
    /** The process's informers this manager takes its shares of, or null to keep informers of its own. */
    private final SharedInformers sharedInformers;
    private final Config config;
    private final List<AutoCloseable> running = new ArrayList<>();
    /** How long to wait before trying again when the controllers' caches could not be filled. */
    static final Duration START_RETRY = Duration.ofSeconds(5);

    private CompletableFuture<?> election;
    private Thread rediscovery;
    private volatile boolean closed;
    /** Whether the controllers should run: always without leader election, while leading with it. */
    private volatile boolean wanted;

    private ControllerManager(KubernetesClient client, SharedInformers sharedInformers, Config config) {
        this.client = client;
        this.sharedInformers = sharedInformers;
        this.config = config;
    }

    /**
     * Starts the controllers, or the election that starts them, in the background: they fill their caches
     * from the API, which must not hold up whoever serves that API. Their informers are their own.
     */
    public static ControllerManager start(KubernetesClient client, Config config) {
        return start(client, null, config);
    }

    /**
     * As {@link #start(KubernetesClient, Config)}, with shares of the process's informers (a server's scheduler
     * reads the same pods and nodes): each time the controllers start they take their shares, and they give
     * them back when they stop.
     *
     * @param sharedInformers the process's informers, or null for informers of the controllers' own
     */
    public static ControllerManager start(KubernetesClient client, SharedInformers sharedInformers, Config config) {
        ControllerManager manager = new ControllerManager(client, sharedInformers, config);
        if (config.leaderElection()) {
            manager.election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                    .withName("kybern-controller-manager")
                    .withLock(new LeaseLock(LEASE_NAMESPACE, LEASE_NAME, config.identity()))
                    .withLeaseDuration(Duration.ofSeconds(15))
                    .withRenewDeadline(Duration.ofSeconds(10))
                    .withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(manager::run, manager::halt,
                            leader -> log.info("controller-manager leader={}", leader)))
                    .build()).build().start();
        } else {
            manager.run();
        }
        return manager;
    }

    /** Starts the controllers in the background, trying again until they run or are no longer wanted. */
    private void run() {
        wanted = true;
        Thread.ofVirtual().name("controller-manager-start").start(() -> {
            while (wanted && !closed && !startControllers()) {
                try {
                    Thread.sleep(START_RETRY);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void halt() {
        wanted = false;
        stopControllers();
    }

    /** Starts every controller once their caches are filled; false (all stopped again) if they could not be. */
    private synchronized boolean startControllers() {
        if (closed || !wanted) {
            return true;
        }
        InstantSource clock = config.clock();
        Informers informers = sharedInformers == null ? new Informers(client) : new Informers(sharedInformers);
        running.add(informers);
        var pods = informers.of(Pod.class);
        var namespaces = informers.of(Namespace.class);

        var replicaSets = ReplicaController.forReplicaSets(client, informers.of(ReplicaSet.class), pods, clock);
        Controller<ObjectKey> replicaSetController = controller(replicaSets.component(), replicaSets, 5);
        replicaSets.watch(replicaSetController.queue()::add);

        var deployments = new DeploymentController(client, informers.of(Deployment.class),
                informers.of(ReplicaSet.class), pods, clock);
        Controller<ObjectKey> deploymentController = controller(DeploymentController.COMPONENT, deployments, 5);
        deployments.watch(deploymentController.queue()::add);

        var replicationControllers = ReplicaController.forReplicationControllers(client,
                informers.of(ReplicationController.class), pods, clock);
        Controller<ObjectKey> rcController = controller(replicationControllers.component(), replicationControllers, 5);
        replicationControllers.watch(rcController.queue()::add);

        var nodes = informers.of(Node.class);
        var daemonSets = new DaemonSetController(client, informers.of(DaemonSet.class), pods, nodes, clock);
        Controller<ObjectKey> daemonSetController = controller(DaemonSetController.COMPONENT, daemonSets, 2);
        daemonSets.watch(daemonSetController.queue()::add);

        var statefulSets = new StatefulSetController(client, informers.of(StatefulSet.class), pods, clock);
        Controller<ObjectKey> statefulSetController = controller(StatefulSetController.COMPONENT, statefulSets, 5);
        statefulSets.watch(statefulSetController.queue()::add);

        var jobs = informers.of(Job.class);
        var jobReconciler = new JobController(client, jobs, pods, clock);
        Controller<ObjectKey> jobController = controller(JobController.COMPONENT, jobReconciler, 5);
        jobReconciler.watch(jobController.queue()::add);

        var ttlReconciler = new TtlAfterFinishedController(client, jobs, clock);
        Controller<ObjectKey> ttlController = controller(TtlAfterFinishedController.COMPONENT, ttlReconciler, 2);
        ttlReconciler.watch(ttlController.queue()::add);

        var cronJobReconciler = new CronJobController(client, informers.of(CronJob.class), jobs, clock);
        Controller<ObjectKey> cronJobController = controller(CronJobController.COMPONENT, cronJobReconciler, 2);
        cronJobReconciler.watch(cronJobController.queue()::add);

        var namespaceReconciler = new NamespaceController(client, namespaces, clock);
        Controller<ObjectKey> namespaceController = controller("namespace-controller", namespaceReconciler, 5);
        namespaceReconciler.watch(namespaceController.queue()::add);

        var serviceAccounts = new ServiceAccountController(client, namespaces, informers.of(ServiceAccount.class));
        Controller<ObjectKey> serviceAccountController = controller("serviceaccount-controller", serviceAccounts, 1);
        serviceAccounts.watch(serviceAccountController.queue()::add);

        var nodeLifecycle = new NodeLifecycleController(client, nodes, informers.of(Lease.class), pods, clock);
        Controller<ObjectKey> nodeLifecycleController = controller(NodeLifecycleController.COMPONENT,
                nodeLifecycle, 5);
        nodeLifecycle.watch(nodeLifecycleController.queue()::add);

        var taintEviction = new TaintEvictionController(client, pods, nodes, clock);
        Controller<ObjectKey> taintEvictionController = controller(TaintEvictionController.COMPONENT,
                taintEviction, 5);
        taintEviction.watch(taintEvictionController.queue()::add);

        var podGc = new PodGarbageCollector(client, pods, nodes, clock);
        Controller<ObjectKey> podGcController = controller("pod-garbage-collector", podGc, 2);
        podGc.watch(podGcController.queue()::add);

        var services = informers.of(Service.class);
        var endpoints = new EndpointsController(client, services, pods, informers.of(Endpoints.class), clock);
        Controller<ObjectKey> endpointsController = controller(EndpointsController.COMPONENT, endpoints, 5);
        endpoints.watch(endpointsController.queue()::add);

        var slices = new EndpointSliceController(client, services, pods, informers.of(EndpointSlice.class), clock);
        Controller<ObjectKey> slicesController = controller(EndpointSliceController.COMPONENT, slices, 5);
        slices.watch(slicesController.queue()::add);

        var disruption = new DisruptionController(client, informers.of(PodDisruptionBudget.class), pods, clock);
        Controller<ObjectKey> disruptionController = controller("disruption-controller", disruption, 2);
        disruption.watch(disruptionController.queue()::add);

        var quotas = new ResourceQuotaController(client, informers.of(ResourceQuota.class), pods, services,
                informers.of(PersistentVolumeClaim.class), informers.of(ConfigMap.class), informers.of(Secret.class),
                informers.of(ReplicationController.class), clock);
        Controller<ObjectKey> quotaController = controller(ResourceQuotaController.COMPONENT, quotas, 2);
        quotas.watch(quotaController.queue()::add);

        var persistentVolumes = new PersistentVolumeController(client, informers.of(PersistentVolumeClaim.class),
                informers.of(PersistentVolume.class), informers.of(StorageClass.class),
                Optional.ofNullable(config.localVolumes()).map(LocalPathProvisioner::new), clock);
        Controller<ObjectKey> volumeController = controller(PersistentVolumeController.COMPONENT, persistentVolumes, 1);
        persistentVolumes.watch(volumeController.queue()::add);

        var autoscaler = new HorizontalPodAutoscalerController(client, informers.of(HorizontalPodAutoscaler.class),
                pods, clock);
        Controller<ObjectKey> autoscalerController = controller(HorizontalPodAutoscalerController.COMPONENT,
                autoscaler, 5);
        autoscaler.watch(autoscalerController.queue()::add);

        GarbageCollector collector = new GarbageCollector(client, informers::started);
        Controller<String> gcController = new Controller<>("garbage-collector",
                new WorkQueue<>(clock, Backoff.CONTROLLER_DEFAULT), collector, 10);
        running.add(collector);
        running.add(gcController);

        try {
            informers.startAll(CACHE_SYNC_TIMEOUT);
            persistentVolumes.ensureDefaultClass();
            collector.watchDiscoveredResources(gcController.queue()::add, CACHE_SYNC_TIMEOUT);
        } catch (Exception e) {
            log.error("controllers could not start (their caches did not fill); retry_in_s={}",
                    START_RETRY.toSeconds(), e);
            stopControllers();
            return false;
        }
        for (Controller<?> controller : List.of(replicaSetController, deploymentController, rcController,
                daemonSetController, statefulSetController, jobController, ttlController, cronJobController,
                namespaceController,
                serviceAccountController, nodeLifecycleController, taintEvictionController, podGcController,
                endpointsController, slicesController, disruptionController, quotaController, volumeController,
                autoscalerController, gcController)) {
            controller.start();
        }
        rediscovery = Thread.ofVirtual().name("garbage-collector-rediscovery").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(REDISCOVERY);
                    collector.watchDiscoveredResources(gcController.queue()::add, CACHE_SYNC_TIMEOUT);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    log.info("rediscovery failed error={}", e.toString());
                }
            }
        });
        log.info("controllers started leader_election={}", config.leaderElection());
        return true;
    }

    private Controller<ObjectKey> controller(String name, Reconciler<ObjectKey> reconciler,
            int workers) {
        Controller<ObjectKey> controller = new Controller<>(name,
                new WorkQueue<>(config.clock(), Backoff.CONTROLLER_DEFAULT), reconciler, workers);
        running.add(controller);
        return controller;
    }

    private synchronized void stopControllers() {
        if (rediscovery != null) {
            rediscovery.interrupt();
            rediscovery = null;
        }
        // Workers first, then the informers that feed them.
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                log.debug("stopping {} failed", running.get(i), e);
            }
        }
        running.clear();
    }

    @Override
    public void close() {
        closed = true;
        wanted = false;
        if (election != null) {
            election.cancel(true);
        }
        stopControllers();
    }
}
