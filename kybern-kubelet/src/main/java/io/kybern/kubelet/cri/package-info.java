/**
 * The agent's side of CRI v1: a gRPC client of a container runtime (containerd) on its Unix socket. The
 * messages and stubs are generated from {@code src/main/protobuf/cri.proto}, Kybern's own declaration of the
 * part of CRI it uses.
 */
package io.kybern.kubelet.cri;
