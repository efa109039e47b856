/**
 * Persistent volumes: the binder that pairs PersistentVolumeClaims with PersistentVolumes (and keeps both
 * phases), the default {@code local-path} StorageClass and its provisioner of host-path volumes.
 */
package io.kybern.controllers.volume;
