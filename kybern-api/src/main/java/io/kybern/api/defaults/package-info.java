/**
 * What Kubernetes fills in on an object that did not say: the per-kind defaults of the built-in API
 * (pod restart and DNS policies, container pull policies, Deployment rollout strategy, Job completions,
 * Service type and affinity...). Applied on create and on every update, so an object read back always
 * carries them, as it does from Kubernetes.
 */
package io.kybern.api.defaults;
