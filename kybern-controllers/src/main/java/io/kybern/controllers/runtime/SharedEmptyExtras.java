package io.kybern.controllers.runtime;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Gives every object of a cached fabric8 tree whose {@code additionalProperties} is empty one shared, immutable
 * empty map instead of its own.
 *
 * <p>Each fabric8 model object (a pod's spec, each container, probe, quantity...) is built with a
 * {@code LinkedHashMap} for the fields the model does not know, nearly always empty: with 10,000 pods and the
 * ConfigMaps of a busy cluster in the controllers' caches, about 200,000 empty maps, 11 MB of
 * heap. Only Jackson fills those maps, while it decodes; builders copy them into maps of their own, so an
 * object made from a cached one can still take unknown fields. Cached objects are read-only (as in
 * client-go's caches); a controller that tried to add an unknown field to one would now get an
 * {@link UnsupportedOperationException} rather than silently change the cache.
 *
 * <p>Thread-safe: the fields to visit are found once per class; each tree is changed by the thread that
 * stores it, before anyone else sees it.
 */
final class SharedEmptyExtras {

    private static final Map<String, Object> EMPTY = Collections.emptyMap();
    private static final String EXTRAS = "additionalProperties";
    /** fabric8's model classes, every API group's; not all are KubernetesResources (Quantity is not). */
    private static final String MODELS = "io.fabric8.kubernetes.api.model";

    /** Per model class: its field of unknown fields, and the fields that may hold further model objects. */
    private record Shape(Field extras, List<Field> children) {
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return shapeOf(type);
        }
    };

    private SharedEmptyExtras() {
    }

    /** Shares the empty map in {@code object} and every model object it holds, however deep. */
    static void share(Object object) {
        if (object == null || !object.getClass().getPackageName().startsWith(MODELS)) {
            return;
        }
        Shape shape = SHAPES.get(object.getClass());
        try {
            if (shape.extras() != null && shape.extras().get(object) instanceof Map<?, ?> extras && extras.isEmpty()) {
                shape.extras().set(object, EMPTY);
            }
            for (Field child : shape.children()) {
                shareIn(child.get(object));
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("fields of " + object.getClass().getName() + " became inaccessible", e);
        }
    }

    private static void shareIn(Object value) {
        switch (value) {
            case null -> {
            }
            case Collection<?> items -> items.forEach(SharedEmptyExtras::shareIn);
            case Map<?, ?> map -> map.values().forEach(SharedEmptyExtras::shareIn);
            default -> share(value);
        }
    }

    private static Shape shapeOf(Class<?> type) {
        Field extras = null;
        List<Field> children = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || !mayHoldModels(field.getType())) {
                    continue;
                }
                if (!accessible(field)) {
                    continue;
                }
                if (field.getName().equals(EXTRAS) && Map.class.isAssignableFrom(field.getType())) {
                    extras = field;
                } else {
                    children.add(field);
                }
            }
        }
        return new Shape(extras, List.copyOf(children));
    }

    /** Strings, numbers, booleans and enums hold no model objects; anything else may. */
    private static boolean mayHoldModels(Class<?> type) {
        return !type.isPrimitive() && !type.isEnum() && type != String.class && type != Boolean.class
                && !Number.class.isAssignableFrom(type);
    }

    private static boolean accessible(Field field) {
        try {
            field.setAccessible(true);
            return true;
        } catch (InaccessibleObjectException e) {
            return false;
        }
    }
}
