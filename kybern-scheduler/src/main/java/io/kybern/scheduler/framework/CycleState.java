package io.kybern.scheduler.framework;

import java.util.HashMap;
import java.util.Map;

/**
 * What plugins compute once per scheduling cycle (in PreFilter or PreScore) and read at every node: the
 * pod's summed requests, the existing pods' anti-affinity terms... Keys are the plugins' own. One cycle
 * runs on one thread; preemption clones the state to try removals without touching the original.
 */
public final class CycleState {

    private final Map<Object, Object> data;

    public CycleState() {
        this.data = new HashMap<>();
    }

    private CycleState(Map<Object, Object> data) {
        this.data = new HashMap<>(data);
    }

    public void write(Object key, Object value) {
        data.put(key, value);
    }

    @SuppressWarnings("unchecked")
    public <T> T read(Object key) {
        return (T) data.get(key);
    }

    public CycleState copy() {
        return new CycleState(data);
    }
}
