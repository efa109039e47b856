package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The service environment variables kubelet gives every container: for each Service with a cluster IP,
 * {@code NAME_SERVICE_HOST}, {@code NAME_SERVICE_PORT} (its first port), {@code NAME_SERVICE_PORT_PORTNAME}
 * for each named port, and Docker's link variables ({@code NAME_PORT}, {@code NAME_PORT_80_TCP} with its
 * {@code _PROTO}, {@code _PORT} and {@code _ADDR}). The Services are those of the pod's namespace when
 * {@code enableServiceLinks} is true (the default), and the {@code kubernetes} Service of {@code default}
 * always; a Service of the pod's namespace wins over the default one of the same name.
 */
final class ServiceEnv {

    /** The Services of the default namespace whose variables every pod gets (kubelet's master services). */
    static final String MASTER_SERVICE = "kubernetes";

    private ServiceEnv() {
    }

    /**
     * The variables for the pod from the node's Services (every namespace's, as the agent's informer holds them;
     * kubelet reads them from its service lister too, so a Service made after the pod reached the node is not
     * seen, as in Kubernetes).
     */
    static Map<String, String> forPod(Pod pod, List<Service> services) {
        return of(services, pod.getMetadata().getNamespace(),
                !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks()));
    }

    /** The variables of these Services for a pod of that namespace. */
    static Map<String, String> of(List<Service> services, String podNamespace, boolean enableServiceLinks) {
        Map<String, Service> chosen = new LinkedHashMap<>();
        for (Service service : services) {
            if (!hasClusterIp(service)) {
                continue;
            }
            String name = service.getMetadata().getName();
            String namespace = service.getMetadata().getNamespace();
            if (enableServiceLinks && podNamespace.equals(namespace)) {
                chosen.put(name, service);
            } else if ("default".equals(namespace) && MASTER_SERVICE.equals(name)) {
                chosen.putIfAbsent(name, service);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        chosen.values().stream().sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .forEach(service -> add(service, env));
        return env;
    }

    private static boolean hasClusterIp(Service service) {
        String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !ip.equals("None");
    }

    private static void add(Service service, Map<String, String> env) {
        String prefix = variableName(service.getMetadata().getName());
        String ip = service.getSpec().getClusterIP();
        List<ServicePort> ports = PodWorker.list(service.getSpec().getPorts());
        env.put(prefix + "_SERVICE_HOST", ip);
        if (ports.isEmpty()) {
            return;
        }
        env.put(prefix + "_SERVICE_PORT", Integer.toString(ports.get(0).getPort()));
        for (ServicePort port : ports) {
            if (port.getName() != null && !port.getName().isEmpty()) {
                env.put(prefix + "_SERVICE_PORT_" + variableName(port.getName()), Integer.toString(port.getPort()));
            }
        }
        String hostIp = ip.contains(":") ? "[" + ip + "]" : ip;
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String protocol = Objects.requireNonNullElse(port.getProtocol(), "TCP");
            String url = protocol.toLowerCase(Locale.ROOT) + "://" + hostIp + ":" + port.getPort();
            if (i == 0) {
                env.put(prefix + "_PORT", url); // Docker's links name the first port on its own
            }
            String portPrefix = prefix + "_PORT_" + port.getPort() + "_" + protocol.toUpperCase(Locale.ROOT);
            env.put(portPrefix, url);
            env.put(portPrefix + "_PROTO", protocol.toLowerCase(Locale.ROOT));
            env.put(portPrefix + "_PORT", Integer.toString(port.getPort()));
            env.put(portPrefix + "_ADDR", ip);
        }
    }

    /** A name as a variable: upper case, '-' as '_' (so "my-db" gives MY_DB_SERVICE_HOST). */
    static String variableName(String name) {
        return name.replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
