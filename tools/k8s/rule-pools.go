package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// rulePools: every name a gRPC pool resolves is a headless Service in front of pods that listen on the port the
// pool dials. A ClusterIP Service balances connections, not requests: a pool's long-lived stream to its one
// virtual address would carry every request of that caller to the same pod.
func rulePools(s *stack, refs []reference) []string {
	var problems []string
	for _, r := range refs {
		svc, svcName, ok := s.serviceFor(r.host)
		where := fmt.Sprintf("Deployment/%s: %s=%s", r.from.Name, r.source, r.address)
		if !ok {
			if svcName != "" {
				problems = append(problems, fmt.Sprintf("%s: no Service %q is rendered in this namespace", where, r.host))
			}
			continue
		}
		if !r.balanced {
			continue
		}
		if svc.Spec.ClusterIP != corev1.ClusterIPNone {
			problems = append(problems, fmt.Sprintf(
				"Service/%s: a %s Service in front of a gRPC pool (%s): it balances connections, not requests, so "+
					"each caller's long-lived stream would pin all its requests to one pod; make it headless "+
					"(clusterIP: None) so the name resolves to every pod", svc.Name, serviceType(svc), where))
		}
		if svc.Spec.PublishNotReadyAddresses {
			problems = append(problems, fmt.Sprintf(
				"Service/%s: publishNotReadyAddresses would keep draining and unready pods in the pool of %s",
				svc.Name, where))
		}
		targets := s.selected(svc.Spec.Selector)
		if len(targets) == 0 {
			problems = append(problems, fmt.Sprintf("Service/%s: selects no Deployment's pods (%s)", svc.Name, where))
		}
		for _, d := range targets {
			if !hasContainerPort(d, r.port) {
				problems = append(problems, fmt.Sprintf(
					"%s: the pool dials port %d on each pod, but Deployment/%s declares no such container port",
					where, r.port, d.Name))
			}
		}
	}
	return problems
}

func serviceType(svc *corev1.Service) string {
	if svc.Spec.Type == "" {
		return string(corev1.ServiceTypeClusterIP)
	}
	return string(svc.Spec.Type)
}
