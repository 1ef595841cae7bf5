package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// ruleResources: every container states what it needs and what it may use, CPU and memory.
func ruleResources(s *stack) []string {
	var problems []string
	for _, d := range s.deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, kind := range []string{"requests", "limits"} {
				list := c.Resources.Requests
				if kind == "limits" {
					list = c.Resources.Limits
				}
				for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
					if q, ok := list[r]; !ok || q.IsZero() {
						problems = append(problems, fmt.Sprintf("Deployment/%s: container %s: no %s.%s", d.Name,
							c.Name, kind, r))
					}
				}
			}
		}
	}
	return problems
}

// ruleHardening: beyond Pod Security "restricted" (checked with the other API rules): a read-only root
// filesystem, no service account token (nothing here talks to the API), and no service links (they would set
// variables such as EDGE_PORT=tcp://… that the services read as their own configuration).
func ruleHardening(s *stack) []string {
	var problems []string
	for _, d := range s.deployments {
		spec := d.Spec.Template.Spec
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			problems = append(problems, fmt.Sprintf("Deployment/%s: automountServiceAccountToken is not false", d.Name))
		}
		if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
			problems = append(problems, fmt.Sprintf("Deployment/%s: enableServiceLinks is not false: Kubernetes "+
				"would set <SERVICE>_PORT=tcp://… variables, which collide with the services' own", d.Name))
		}
		for _, c := range spec.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				problems = append(problems, fmt.Sprintf("Deployment/%s: container %s: the root filesystem is "+
					"writable (securityContext.readOnlyRootFilesystem)", d.Name, c.Name))
			}
			uid := spec.SecurityContext
			if (sc == nil || sc.RunAsUser == nil) && (uid == nil || uid.RunAsUser == nil) {
				problems = append(problems, fmt.Sprintf("Deployment/%s: container %s: no numeric runAsUser: "+
					"runAsNonRoot cannot be verified for an image whose USER is a name", d.Name, c.Name))
			}
		}
	}
	return problems
}
