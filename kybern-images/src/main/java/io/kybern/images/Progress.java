package io.kybern.images;

/**
 * Where long image operations report each step, one line per layer as docker prints them
 * ({@code 3f4a1b2c9d0e: Pushed}). Called on the thread doing the work.
 */
@FunctionalInterface
public interface Progress {

    /**
     * @param id     what the line is about: a short layer or image id, or a stage of a build
     * @param status what happened to it
     */
    void report(String id, String status);

    Progress NONE = (id, status) -> { };
}
