package main

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// singleInstance marks a Deployment that must run one pod (its annotation says why); it has no autoscaler.
const singleInstance = "mono.dev/single-instance"

// ruleScaling: every Deployment has one HorizontalPodAutoscaler, which owns its replica count, and one
// PodDisruptionBudget that still lets a node drain; or is marked as a single instance and says so.
func ruleScaling(s *stack) []string {
	var problems []string
	for _, hpa := range s.hpas {
		ref := hpa.Spec.ScaleTargetRef
		if s.undecoded[ref.Kind+"/"+ref.Name] {
			continue
		}
		if ref.Kind != "Deployment" || s.deployment(ref.Name) == nil {
			problems = append(problems, fmt.Sprintf("HorizontalPodAutoscaler/%s: scales %s/%s, which is not "+
				"rendered", hpa.Name, ref.Kind, ref.Name))
		}
	}
	for _, d := range s.deployments {
		where := "Deployment/" + d.Name
		hpas := s.autoscalers(d)
		if reason, ok := d.Annotations[singleInstance]; ok {
			if strings.TrimSpace(reason) == "" || d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || len(hpas) > 0 {
				problems = append(problems, fmt.Sprintf("%s: marked %s, so it needs a reason, replicas: 1 and no "+
					"autoscaler", where, singleInstance))
			}
			continue
		}
		if len(hpas) != 1 && !s.undecodedKind("HorizontalPodAutoscaler") {
			problems = append(problems, fmt.Sprintf("%s: %d HorizontalPodAutoscalers scale it; it needs exactly one "+
				"(or the annotation %s with a reason)", where, len(hpas), singleInstance))
			continue
		}
		if len(hpas) != 1 {
			continue
		}
		if d.Spec.Replicas != nil {
			problems = append(problems, fmt.Sprintf("%s: spec.replicas is set while HorizontalPodAutoscaler/%s "+
				"owns the count: every apply would reset it", where, hpas[0].Name))
		}
		problems = append(problems, s.checkBudget(d, hpas[0])...)
	}
	return problems
}

func (s *stack) checkBudget(d *appsv1.Deployment, hpa *autoscalingv2.HorizontalPodAutoscaler) []string {
	where := "Deployment/" + d.Name
	var names []string
	var allows []bool
	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	for _, pdb := range s.pdbs {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			continue
		}
		names = append(names, pdb.Name)
		switch {
		case pdb.Spec.MaxUnavailable != nil:
			allows = append(allows, positive(*pdb.Spec.MaxUnavailable))
		case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int:
			allows = append(allows, pdb.Spec.MinAvailable.IntVal < minReplicas)
		default:
			allows = append(allows, pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.StrVal != "100%")
		}
	}
	if len(names) != 1 {
		return []string{fmt.Sprintf("%s: %d PodDisruptionBudgets select its pods; it needs exactly one", where,
			len(names))}
	}
	if !allows[0] {
		return []string{fmt.Sprintf("PodDisruptionBudget/%s: allows no eviction at %d replicas (the autoscaler's "+
			"minimum): draining a node would hang", names[0], minReplicas)}
	}
	return nil
}

func positive(v intstr.IntOrString) bool {
	if v.Type == intstr.Int {
		return v.IntVal > 0
	}
	return v.StrVal != "0%" && v.StrVal != "0"
}

func (s *stack) deployment(n string) *appsv1.Deployment {
	for _, d := range s.deployments {
		if d.Name == n {
			return d
		}
	}
	return nil
}

func (s *stack) autoscalers(d *appsv1.Deployment) []*autoscalingv2.HorizontalPodAutoscaler {
	var out []*autoscalingv2.HorizontalPodAutoscaler
	for _, hpa := range s.hpas {
		if hpa.Spec.ScaleTargetRef.Kind == "Deployment" && hpa.Spec.ScaleTargetRef.Name == d.Name {
			out = append(out, hpa)
		}
	}
	return out
}

// undecodedKind: some object of this kind failed to decode (and was reported); rules that count them step back.
func (s *stack) undecodedKind(kind string) bool {
	for n := range s.undecoded {
		if strings.HasPrefix(n, kind+"/") {
			return true
		}
	}
	return false
}
