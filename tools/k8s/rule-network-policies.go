package main

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// flow is a TCP connection from the pods of one Deployment to a port of another's.
type flow struct {
	from, to *appsv1.Deployment
	port     int32
}

func (f flow) String() string {
	return fmt.Sprintf("Deployment/%s → Deployment/%s:%d", f.from.Name, f.to.Name, f.port)
}

// ruleNetworkPolicies evaluates the NetworkPolicies as a cluster would, between the rendered Deployments:
//   - every pod is isolated for ingress and egress (some policy selects it for each);
//   - every flow the configuration needs (pools, OTLP endpoints, exporters) is allowed out of its source and
//     into its destination, and pods that name upstreams may reach DNS;
//   - no other flow between the rendered pods is allowed;
//   - only an entry point (pods behind a Service nothing in the stack calls: the edge) accepts traffic from any
//     source, and only on that Service's ports; no pod may send anywhere but to DNS.
func ruleNetworkPolicies(s *stack, refs []reference) []string {
	var problems []string
	for _, d := range s.deployments {
		for _, t := range []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress} {
			if len(s.policiesFor(d, t)) == 0 {
				problems = append(problems, fmt.Sprintf("Deployment/%s: no NetworkPolicy selects its pods for %s: "+
					"they accept and send anything", d.Name, t))
			}
		}
	}
	needed := map[flow]string{}
	called := map[string]bool{}
	for _, r := range refs {
		svc, _, ok := s.serviceFor(r.host)
		if !ok {
			continue
		}
		called[svc.Name] = true
		for _, to := range s.selected(svc.Spec.Selector) {
			port, ok := targetPort(svc, r.port, to)
			if !ok {
				problems = append(problems, fmt.Sprintf("Deployment/%s: %s=%s reaches no container port of "+
					"Deployment/%s", r.from.Name, r.source, r.address, to.Name))
				continue
			}
			needed[flow{r.from, to, port}] = fmt.Sprintf("%s=%s", r.source, r.address)
		}
	}
	for _, f := range sortedFlows(needed) {
		if !s.egressAllows(f.from, f.to, f.port) {
			problems = append(problems, fmt.Sprintf("NetworkPolicies block %s (%s): no egress rule of the "+
				"policies selecting %s allows it", f, needed[f], f.from.Name))
		}
		if !s.ingressAllows(f.to, f.from, f.port) {
			problems = append(problems, fmt.Sprintf("NetworkPolicies block %s (%s): no ingress rule of the "+
				"policies selecting %s allows it", f, needed[f], f.to.Name))
		}
	}
	for _, from := range s.deployments {
		if hasReferences(refs, from) && !s.dnsAllowed(from) {
			problems = append(problems, fmt.Sprintf("Deployment/%s: names upstreams but no egress rule allows "+
				"DNS (port 53/UDP)", from.Name))
		}
		for _, to := range s.deployments {
			for _, port := range containerPorts(to) {
				f := flow{from, to, port}
				if _, ok := needed[f]; ok {
					continue
				}
				if s.egressAllows(from, to, port) && s.ingressAllows(to, from, port) {
					problems = append(problems, fmt.Sprintf("NetworkPolicies allow %s, which nothing in the "+
						"configuration uses", f))
				}
			}
		}
	}
	return append(problems, s.openRules(called)...)
}

// openRules reports rules that accept from, or send to, any address.
func (s *stack) openRules(called map[string]bool) []string {
	var problems []string
	entry := map[*appsv1.Deployment]map[int32]bool{}
	for _, svc := range s.services {
		if called[svc.Name] {
			continue
		}
		for _, d := range s.selected(svc.Spec.Selector) {
			if entry[d] == nil {
				entry[d] = map[int32]bool{}
			}
			for _, p := range svc.Spec.Ports {
				if port, ok := targetPort(svc, p.Port, d); ok {
					entry[d][port] = true
				}
			}
		}
	}
	for _, np := range s.policies {
		for _, rule := range np.Spec.Ingress {
			if !anyPeer(rule.From) {
				continue
			}
			for _, d := range s.deployments {
				if !selects(np, d) {
					continue
				}
				for _, port := range containerPorts(d) {
					if portAllowed(rule.Ports, d, port) && !entry[d][port] {
						problems = append(problems, fmt.Sprintf("NetworkPolicy/%s: lets any source reach "+
							"Deployment/%s:%d, which is not a port of an entry point (a Service nothing in the "+
							"stack calls)", np.Name, d.Name, port))
					}
				}
			}
		}
		for _, rule := range np.Spec.Egress {
			if !anyPeer(rule.To) {
				continue
			}
			if len(rule.Ports) == 0 {
				problems = append(problems, fmt.Sprintf("NetworkPolicy/%s: lets its pods send anywhere on any port",
					np.Name))
			}
			for _, p := range rule.Ports {
				if p.Port == nil || p.Port.Type != intstr.Int || p.Port.IntVal != 53 {
					problems = append(problems, fmt.Sprintf("NetworkPolicy/%s: lets its pods send anywhere on "+
						"port %s; name the destination", np.Name, portText(p)))
				}
			}
		}
	}
	return problems
}

func (s *stack) policiesFor(d *appsv1.Deployment, t networkingv1.PolicyType) []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	for _, np := range s.policies {
		if selects(np, d) && hasType(np, t) {
			out = append(out, np)
		}
	}
	return out
}

func (s *stack) egressAllows(from, to *appsv1.Deployment, port int32) bool {
	policies := s.policiesFor(from, networkingv1.PolicyTypeEgress)
	if len(policies) == 0 {
		return true
	}
	for _, np := range policies {
		for _, rule := range np.Spec.Egress {
			if s.peersMatch(rule.To, to) && portAllowed(rule.Ports, to, port) {
				return true
			}
		}
	}
	return false
}

func (s *stack) ingressAllows(to, from *appsv1.Deployment, port int32) bool {
	policies := s.policiesFor(to, networkingv1.PolicyTypeIngress)
	if len(policies) == 0 {
		return true
	}
	for _, np := range policies {
		for _, rule := range np.Spec.Ingress {
			if s.peersMatch(rule.From, from) && portAllowed(rule.Ports, to, port) {
				return true
			}
		}
	}
	return false
}

func (s *stack) dnsAllowed(from *appsv1.Deployment) bool {
	policies := s.policiesFor(from, networkingv1.PolicyTypeEgress)
	if len(policies) == 0 {
		return true
	}
	udp := corev1.ProtocolUDP
	for _, np := range policies {
		for _, rule := range np.Spec.Egress {
			if len(rule.Ports) == 0 {
				return true
			}
			for _, p := range rule.Ports {
				if p.Protocol != nil && *p.Protocol == udp && p.Port != nil && p.Port.IntVal == 53 {
					return true
				}
			}
		}
	}
	return false
}

// peersMatch: an empty list matches every source or destination; a peer matches the namespace's pods by its pod
// and namespace selectors; an ipBlock is taken to match pods only when it is all addresses.
func (s *stack) peersMatch(peers []networkingv1.NetworkPolicyPeer, d *appsv1.Deployment) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		if peer.IPBlock != nil {
			if everything(peer.IPBlock) {
				return true
			}
			continue
		}
		if peer.NamespaceSelector != nil && !matches(peer.NamespaceSelector, s.nsLabels) {
			continue
		}
		if peer.PodSelector == nil || matches(peer.PodSelector, labels.Set(d.Spec.Template.Labels)) {
			return true
		}
	}
	return false
}

// portAllowed: a named port is looked up among the destination's container ports; protocol TCP.
func portAllowed(ports []networkingv1.NetworkPolicyPort, to *appsv1.Deployment, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.Type == intstr.String:
			if n, ok := namedPort(to, p.Port.StrVal); ok && n == port {
				return true
			}
		case p.EndPort != nil:
			if port >= p.Port.IntVal && port <= *p.EndPort {
				return true
			}
		case p.Port.IntVal == port:
			return true
		}
	}
	return false
}

func anyPeer(peers []networkingv1.NetworkPolicyPeer) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		if peer.IPBlock != nil && everything(peer.IPBlock) {
			return true
		}
	}
	return false
}

func everything(b *networkingv1.IPBlock) bool {
	return (b.CIDR == "0.0.0.0/0" || b.CIDR == "::/0") && len(b.Except) == 0
}

func selects(np *networkingv1.NetworkPolicy, d *appsv1.Deployment) bool {
	return matches(&np.Spec.PodSelector, labels.Set(d.Spec.Template.Labels))
}

func hasType(np *networkingv1.NetworkPolicy, t networkingv1.PolicyType) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return t == networkingv1.PolicyTypeIngress || len(np.Spec.Egress) > 0
	}
	for _, pt := range np.Spec.PolicyTypes {
		if pt == t {
			return true
		}
	}
	return false
}

func matches(selector *metav1.LabelSelector, set labels.Set) bool {
	sel, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && sel.Matches(set)
}

func containerPorts(d *appsv1.Deployment) []int32 {
	var out []int32
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			if p.Protocol == "" || p.Protocol == corev1.ProtocolTCP {
				out = append(out, p.ContainerPort)
			}
		}
	}
	return out
}

func hasReferences(refs []reference, d *appsv1.Deployment) bool {
	for _, r := range refs {
		if r.from == d {
			return true
		}
	}
	return false
}

func portText(p networkingv1.NetworkPolicyPort) string {
	if p.Port == nil {
		return "any"
	}
	return p.Port.String()
}

func sortedFlows(m map[flow]string) []flow {
	out := make([]flow, 0, len(m))
	for f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
