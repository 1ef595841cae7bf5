package main

import (
	"fmt"
	"net"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ruleProbes: each service is probed on its admin listener (/readyz for readiness, /healthz for liveness) or by
// Kubernetes' gRPC probe on its serving port. The admin listener must not be on loopback (the kubelet probes the
// pod's address), and liveness must not follow readiness: a draining pod is not ready but must not be restarted.
func ruleProbes(s *stack) []string {
	var problems []string
	for _, d := range s.deployments {
		for i := range d.Spec.Template.Spec.Containers {
			c := &d.Spec.Template.Spec.Containers[i]
			svc, ok := services[c.Name]
			if !ok {
				continue
			}
			where := fmt.Sprintf("Deployment/%s: container %s", d.Name, c.Name)
			admin, source := adminAddress(s, d, c)
			if admin == "" {
				problems = append(problems, fmt.Sprintf("%s: no admin listener (%s_ADMIN): nothing serves /readyz "+
					"and /healthz to the kubelet", where, svc.prefix))
				continue
			}
			host, portText, err := net.SplitHostPort(admin)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s=%q is not host:port", where, source, admin))
				continue
			}
			if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
				problems = append(problems, fmt.Sprintf("%s: %s=%s listens on loopback: the kubelet's probes "+
					"cannot reach it (use 0.0.0.0:%s)", where, source, admin, portText))
			}
			var adminPort int32
			_, _ = fmt.Sscan(portText, &adminPort)
			problems = append(problems, checkProbe(d, c, where, "readinessProbe", c.ReadinessProbe, "/readyz", adminPort)...)
			problems = append(problems, checkProbe(d, c, where, "livenessProbe", c.LivenessProbe, "/healthz", adminPort)...)
		}
	}
	return problems
}

func checkProbe(d *appsv1.Deployment, c *corev1.Container, where, kind string, p *corev1.Probe, path string,
	adminPort int32) []string {
	if p == nil {
		return []string{fmt.Sprintf("%s: no %s (%s on the admin port %d)", where, kind, path, adminPort)}
	}
	switch {
	case p.HTTPGet != nil:
		port, ok := probePort(c, p.HTTPGet.Port)
		if !ok || port != adminPort {
			return []string{fmt.Sprintf("%s: %s probes port %s, not the admin listener's %d", where, kind,
				p.HTTPGet.Port.String(), adminPort)}
		}
		if p.HTTPGet.Path != path {
			return []string{fmt.Sprintf("%s: %s asks %q; the admin listener answers it on %s", where, kind,
				p.HTTPGet.Path, path)}
		}
	case p.GRPC != nil:
		if p.GRPC.Port == adminPort || !hasContainerPort(d, p.GRPC.Port) {
			return []string{fmt.Sprintf("%s: %s is a gRPC probe on port %d, which is not the service's gRPC "+
				"port", where, kind, p.GRPC.Port)}
		}
	default:
		return []string{fmt.Sprintf("%s: %s is neither an HTTP probe of the admin listener nor a gRPC probe",
			where, kind)}
	}
	return nil
}

func probePort(c *corev1.Container, port intstr.IntOrString) (int32, bool) {
	if port.Type == intstr.Int {
		return port.IntVal, true
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

// adminAddress is <PREFIX>_ADMIN, else `admin` in the service's configuration file.
func adminAddress(s *stack, d *appsv1.Deployment, c *corev1.Container) (string, string) {
	key := services[c.Name].prefix + "_ADMIN"
	if v, ok := env(c, key); ok {
		return v, key
	}
	if p, config, err := s.configFile(d, c); err == nil {
		if v, ok := config["admin"].(string); ok {
			return v, p + " admin"
		}
	}
	return "", key
}
