package io.kybern.cli.fabric8;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** A typed custom resource, as operators written with fabric8 declare theirs. */
@Group("fabric8.example.com")
@Version("v1")
// fabric8 would guess "gizmoes".
@Plural("gizmos")
public class Gizmo extends CustomResource<Gizmo.Spec, Gizmo.Status> implements Namespaced {

    /** What the gizmo should be. */
    public static class Spec {
        private String color;
        private Integer replicas;

        public String getColor() {
            return color;
        }

        public void setColor(String color) {
            this.color = color;
        }

        public Integer getReplicas() {
            return replicas;
        }

        public void setReplicas(Integer replicas) {
            this.replicas = replicas;
        }
    }

    /** What the gizmo is. */
    public static class Status {
        private Integer replicas;
        private String phase;

        public Integer getReplicas() {
            return replicas;
        }

        public void setReplicas(Integer replicas) {
            this.replicas = replicas;
        }

        public String getPhase() {
            return phase;
        }

        public void setPhase(String phase) {
            this.phase = phase;
        }
    }

    static Gizmo of(String name, String color) {
        Gizmo gizmo = new Gizmo();
        gizmo.getMetadata().setName(name);
        Spec spec = new Spec();
        spec.setColor(color);
        gizmo.setSpec(spec);
        return gizmo;
    }
}
