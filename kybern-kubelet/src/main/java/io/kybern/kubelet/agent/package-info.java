/**
 * The real node agent: it registers this machine as a Node (with a pod CIDR), runs the pods bound to it on
 * a CRI runtime (containerd), and reports their status and events, as kubelet does. One worker per pod
 * drives it from what the API says towards what the runtime has.
 */
package io.kybern.kubelet.agent;
