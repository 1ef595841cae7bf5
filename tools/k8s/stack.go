package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// service describes one of the stack's three services, by the name of its container.
type service struct {
	prefix string   // of its environment variables: EDGE, GATEWAY, FRAMEWORK
	pools  []string // variables naming gRPC pools (host:port, comma-separated)
}

var services = map[string]service{
	"edge":      {prefix: "EDGE", pools: []string{"EDGE_GATEWAYS"}},
	"gateway":   {prefix: "GATEWAY", pools: []string{"GATEWAY_FRAMEWORK"}},
	"framework": {prefix: "FRAMEWORK"},
}

// stack is one rendered overlay, indexed for the rules.
type stack struct {
	namespace   string
	nsLabels    labels.Set
	deployments []*appsv1.Deployment
	services    map[string]*corev1.Service
	configMaps  map[string]*corev1.ConfigMap
	policies    []*networkingv1.NetworkPolicy
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	pdbs        []*policyv1.PodDisruptionBudget
	undecoded   map[string]bool // Kind/name of documents that failed to decode (already reported)
}

// reference is an address one container is configured to send to: a pool's server, an OTLP endpoint, an exporter.
type reference struct {
	from      *appsv1.Deployment
	container string
	source    string // where it is configured, for messages: "EDGE_GATEWAYS", "edge.yaml pools.gateways.servers"
	address   string // as written
	host      string
	port      int32
	balanced  bool // a gRPC client that balances requests over every address of the name: needs a headless Service
}

func newStack(objects []object, undecoded map[string]bool) *stack {
	s := &stack{services: map[string]*corev1.Service{}, configMaps: map[string]*corev1.ConfigMap{},
		undecoded: undecoded}
	for _, o := range objects {
		switch v := o.obj.(type) {
		case *corev1.Namespace:
			s.namespace = v.Name
			s.nsLabels = labels.Set{"kubernetes.io/metadata.name": v.Name}
			for k, val := range v.Labels {
				s.nsLabels[k] = val
			}
		case *appsv1.Deployment:
			s.deployments = append(s.deployments, v)
		case *corev1.Service:
			s.services[v.Name] = v
		case *corev1.ConfigMap:
			s.configMaps[v.Name] = v
		case *networkingv1.NetworkPolicy:
			s.policies = append(s.policies, v)
		case *autoscalingv2.HorizontalPodAutoscaler:
			s.hpas = append(s.hpas, v)
		case *policyv1.PodDisruptionBudget:
			s.pdbs = append(s.pdbs, v)
		}
	}
	if s.namespace == "" {
		for _, d := range s.deployments {
			s.namespace = d.Namespace
			s.nsLabels = labels.Set{"kubernetes.io/metadata.name": d.Namespace}
			break
		}
	}
	return s
}

func name(o object) string {
	if m, ok := o.obj.(interface{ GetName() string }); ok {
		return o.gvk.Kind + "/" + m.GetName()
	}
	return o.gvk.Kind
}

func asDeployment(obj any) (*appsv1.Deployment, bool) {
	d, ok := obj.(*appsv1.Deployment)
	return d, ok
}

func env(c *corev1.Container, key string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == key && e.ValueFrom == nil {
			return e.Value, true
		}
	}
	return "", false
}

// file returns the contents of a file a container sees at path, when a ConfigMap volume provides it.
func (s *stack) file(d *appsv1.Deployment, c *corev1.Container, p string) (string, bool) {
	for _, m := range c.VolumeMounts {
		rel := strings.TrimPrefix(p, strings.TrimSuffix(m.MountPath, "/")+"/")
		if rel == p || (m.SubPath != "" && m.MountPath != p) {
			continue
		}
		if m.SubPath != "" {
			rel = m.SubPath
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			cm, ok := s.configMaps[v.ConfigMap.Name]
			if !ok {
				return "", false
			}
			key := rel
			if len(v.ConfigMap.Items) > 0 {
				key = ""
				for _, item := range v.ConfigMap.Items {
					if item.Path == rel {
						key = item.Key
					}
				}
			}
			content, ok := cm.Data[key]
			return content, ok
		}
	}
	return "", false
}

// configFile is the parsed configuration file a container runs with: <PREFIX>_CONFIG for the stack's services,
// --config for the Collector and Jaeger. The path is returned even when no ConfigMap provides the file.
func (s *stack) configFile(d *appsv1.Deployment, c *corev1.Container) (string, map[string]any, error) {
	p := ""
	if svc, ok := services[c.Name]; ok {
		p, _ = env(c, svc.prefix+"_CONFIG")
	}
	args := append(append([]string{}, c.Command...), c.Args...)
	for i, a := range args {
		if a == "--config" && i+1 < len(args) {
			p = args[i+1]
		} else if strings.HasPrefix(a, "--config=") {
			p = strings.TrimPrefix(a, "--config=")
		}
	}
	if p == "" {
		return "", nil, nil
	}
	p = strings.TrimPrefix(p, "file:")
	content, ok := s.file(d, c, p)
	if !ok {
		return p, nil, fmt.Errorf("%s is not provided by a mounted ConfigMap", p)
	}
	var parsed map[string]any
	if err := yaml.Unmarshal([]byte(content), &parsed); err != nil {
		return p, nil, fmt.Errorf("%s: %v", p, err)
	}
	return p, parsed, nil
}

// references lists every address the rendered containers are configured to reach.
func (s *stack) references() ([]reference, []string) {
	var refs []reference
	var problems []string
	add := func(d *appsv1.Deployment, c *corev1.Container, source, address string, defaultPort int32, balanced bool) {
		host, port, err := splitAddress(address, defaultPort)
		if err != nil {
			problems = append(problems, fmt.Sprintf("Deployment/%s: %s: %v", d.Name, source, err))
			return
		}
		refs = append(refs, reference{from: d, container: c.Name, source: source, address: address, host: host,
			port: port, balanced: balanced})
	}
	for _, d := range s.deployments {
		for i := range d.Spec.Template.Spec.Containers {
			c := &d.Spec.Template.Spec.Containers[i]
			for _, key := range services[c.Name].pools {
				if v, ok := env(c, key); ok {
					for _, a := range strings.Split(v, ",") {
						add(d, c, key, strings.TrimSpace(a), 0, true)
					}
				}
			}
			for _, key := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
				if v, ok := env(c, key); ok {
					add(d, c, key, v, 4318, false)
				}
			}
			p, config, err := s.configFile(d, c)
			if err != nil {
				problems = append(problems, fmt.Sprintf("Deployment/%s: container %s: %v", d.Name, c.Name, err))
				continue
			}
			file := path.Base(p)
			for _, pool := range sortedKeys(mapAt(config, "pools")) {
				for _, server := range listAt(mapAt(mapAt(config, "pools"), pool), "servers") {
					if a, ok := server.(string); ok {
						add(d, c, fmt.Sprintf("%s pools.%s.servers", file, pool), a, 0, true)
					}
				}
			}
			for _, exporter := range sortedKeys(mapAt(config, "exporters")) {
				if e, ok := mapAt(mapAt(config, "exporters"), exporter)["endpoint"].(string); ok {
					add(d, c, fmt.Sprintf("%s exporters.%s.endpoint", file, exporter), e, 0,
						strings.HasPrefix(e, "dns:///"))
				}
			}
		}
	}
	return refs, problems
}

// splitAddress reads host:port, http(s)://host:port/… and dns:///host:port.
func splitAddress(address string, defaultPort int32) (string, int32, error) {
	a := strings.TrimPrefix(address, "dns:///")
	if strings.Contains(a, "://") {
		u, err := url.Parse(a)
		if err != nil {
			return "", 0, fmt.Errorf("%q is not a URL: %v", address, err)
		}
		a = u.Host
		if u.Port() == "" {
			a = net.JoinHostPort(u.Hostname(), strconv.Itoa(int(defaultPort)))
		}
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0, fmt.Errorf("%q is not host:port", address)
	}
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("%q has no valid port", address)
	}
	return host, int32(n), nil
}

// serviceFor finds the Service a host name designates in this namespace ("gateway", "gateway.ns",
// "gateway.ns.svc", "gateway.ns.svc.cluster.local"); false for other namespaces and for IP addresses.
func (s *stack) serviceFor(host string) (*corev1.Service, string, bool) {
	if net.ParseIP(host) != nil {
		return nil, "", false
	}
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) > 1 && parts[1] != s.namespace {
		return nil, "", false
	}
	svc, ok := s.services[parts[0]]
	return svc, parts[0], ok
}

// selected lists the Deployments whose pods a label selector (a Service's) picks.
func (s *stack) selected(selector map[string]string) []*appsv1.Deployment {
	var out []*appsv1.Deployment
	if len(selector) == 0 {
		return nil
	}
	for _, d := range s.deployments {
		if labels.SelectorFromSet(selector).Matches(labels.Set(d.Spec.Template.Labels)) {
			out = append(out, d)
		}
	}
	return out
}

// targetPort is the container port a connection to the Service's port reaches on a pod of d. Through a headless
// Service the caller connects to the pod's address with the port it was given.
func targetPort(svc *corev1.Service, port int32, d *appsv1.Deployment) (int32, bool) {
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return port, hasContainerPort(d, port)
	}
	for _, p := range svc.Spec.Ports {
		if p.Port != port {
			continue
		}
		switch {
		case p.TargetPort.Type == intstr.String:
			return namedPort(d, p.TargetPort.StrVal)
		case p.TargetPort.IntVal == 0:
			return port, hasContainerPort(d, port)
		default:
			return p.TargetPort.IntVal, hasContainerPort(d, p.TargetPort.IntVal)
		}
	}
	return 0, false
}

func hasContainerPort(d *appsv1.Deployment, port int32) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			if p.ContainerPort == port {
				return true
			}
		}
	}
	return false
}

func namedPort(d *appsv1.Deployment, portName string) (int32, bool) {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == portName {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}

func mapAt(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func listAt(m map[string]any, key string) []any {
	v, _ := m[key].([]any)
	return v
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeConfigs writes the --config file of every container that has one (the Collector, Jaeger).
func (s *stack) writeConfigs(dir, prefix string) error {
	for _, d := range s.deployments {
		for i := range d.Spec.Template.Spec.Containers {
			c := &d.Spec.Template.Spec.Containers[i]
			if _, ok := services[c.Name]; ok {
				continue
			}
			p, _, err := s.configFile(d, c)
			if p == "" || err != nil {
				continue
			}
			content, _ := s.file(d, c, strings.TrimPrefix(p, "file:"))
			out := filepath.Join(dir, fmt.Sprintf("%s.%s.%s.yaml", prefix, d.Name, c.Name))
			if err := os.WriteFile(out, []byte(content), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
