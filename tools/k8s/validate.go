package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingvalidation "k8s.io/kubernetes/pkg/apis/autoscaling/validation"
	"k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/networking"
	networkingvalidation "k8s.io/kubernetes/pkg/apis/networking/validation"
	"k8s.io/kubernetes/pkg/apis/policy"
	policyvalidation "k8s.io/kubernetes/pkg/apis/policy/validation"
	psapi "k8s.io/pod-security-admission/api"
	pspolicy "k8s.io/pod-security-admission/policy"
)

// internalOf returns an empty internal object for a served kind: what the API server converts to and validates.
var internalOf = map[string]func() any{
	"Namespace":               func() any { return &core.Namespace{} },
	"ConfigMap":               func() any { return &core.ConfigMap{} },
	"Service":                 func() any { return &core.Service{} },
	"PersistentVolumeClaim":   func() any { return &core.PersistentVolumeClaim{} },
	"Deployment":              func() any { return &apps.Deployment{} },
	"PodDisruptionBudget":     func() any { return &policy.PodDisruptionBudget{} },
	"HorizontalPodAutoscaler": func() any { return &autoscaling.HorizontalPodAutoscaler{} },
	"NetworkPolicy":           func() any { return &networking.NetworkPolicy{} },
}

var podSecurity = mustEvaluator()

// validate does what the API server does on create: default a copy of the object, convert it to the internal
// version and run the kind's validation as its registry strategy does; then the pod template's warnings and the
// "restricted" Pod Security level.
func validate(o object) []string {
	versioned := o.obj.DeepCopyObject()
	legacyscheme.Scheme.Default(versioned)
	internal := internalOf[o.gvk.Kind]()
	if err := legacyscheme.Scheme.Convert(versioned, internal, nil); err != nil {
		return []string{fmt.Sprintf("%s: cannot convert to the internal version: %v", name(o), err)}
	}
	var errs field.ErrorList
	var warnings []string
	switch in := internal.(type) {
	case *core.Namespace:
		errs = corevalidation.ValidateNamespace(in)
	case *core.ConfigMap:
		errs = corevalidation.ValidateConfigMap(in)
	case *core.Service:
		allocate(in)
		errs = corevalidation.ValidateServiceCreate(in)
	case *core.PersistentVolumeClaim:
		errs = corevalidation.ValidatePersistentVolumeClaim(in, corevalidation.ValidationOptionsForPersistentVolumeClaim(in, nil))
	case *apps.Deployment:
		errs = appsvalidation.ValidateDeployment(in, podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil))
		warnings = podutil.GetWarningsForPodTemplate(context.Background(), field.NewPath("spec", "template"), &in.Spec.Template, nil)
	case *policy.PodDisruptionBudget:
		errs = policyvalidation.ValidatePodDisruptionBudget(in, policyvalidation.PodDisruptionBudgetValidationOptions{})
	case *autoscaling.HorizontalPodAutoscaler:
		errs = autoscalingvalidation.ValidateHorizontalPodAutoscaler(in, hpaOptions)
	case *networking.NetworkPolicy:
		errs = networkingvalidation.ValidateNetworkPolicy(in, networkingvalidation.ValidationOptionsForNetworking(in, nil))
	}
	var problems []string
	for _, e := range errs {
		problems = append(problems, fmt.Sprintf("%s: rejected by the API server's validation: %s", name(o), e.Error()))
	}
	for _, w := range warnings {
		problems = append(problems, fmt.Sprintf("%s: the API server would warn: %s", name(o), w))
	}
	return append(problems, checkPodSecurity(o, versioned)...)
}

// hpaOptions are the API server's options for a new HorizontalPodAutoscaler (HPAScaleToZero is off by default).
var hpaOptions = autoscalingvalidation.HorizontalPodAutoscalerSpecValidationOptions{
	MinReplicasLowerBound: 1,
	ScaleTargetRefValidationOptions: autoscalingvalidation.CrossVersionObjectReferenceValidationOptions{
		AllowInvalidAPIVersion: false, AllowEmptyAPIGroup: false,
	},
	ObjectMetricsValidationOptions: autoscalingvalidation.CrossVersionObjectReferenceValidationOptions{
		AllowInvalidAPIVersion: false, AllowEmptyAPIGroup: true,
	},
}

func checkPodSecurity(o object, versioned any) []string {
	meta, spec := podTemplateOf(versioned)
	if spec == nil {
		return nil
	}
	level := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.MajorMinorVersion(1, kubeMinor)}
	result := pspolicy.AggregateCheckResults(podSecurity.EvaluatePod(level, meta, spec))
	if result.Allowed {
		return nil
	}
	return []string{fmt.Sprintf("%s: violates Pod Security \"restricted\" (v%s): %s", name(o), KubernetesVersion,
		result.ForbiddenDetail())}
}

func mustEvaluator() pspolicy.Evaluator {
	evaluator, err := pspolicy.NewEvaluator(pspolicy.DefaultChecks(), nil)
	if err != nil {
		panic(err)
	}
	return evaluator
}

func podTemplateOf(obj any) (*metav1.ObjectMeta, *corev1.PodSpec) {
	if d, ok := asDeployment(obj); ok {
		return &d.Spec.Template.ObjectMeta, &d.Spec.Template.Spec
	}
	return nil, nil
}

// allocate fills what the API server's allocators add to a new Service before validating it (cluster IPs, IP
// families, node ports, the health check node port), with placeholder values, as on a single-stack IPv4 cluster.
func allocate(svc *core.Service) {
	if svc.Spec.Type == core.ServiceTypeExternalName {
		return
	}
	if svc.Spec.ClusterIP == "" {
		svc.Spec.ClusterIP = "10.96.0.10"
	}
	if len(svc.Spec.ClusterIPs) == 0 {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []core.IPFamily{core.IPv4Protocol}
	}
	if svc.Spec.IPFamilyPolicy == nil {
		single := core.IPFamilyPolicySingleStack
		svc.Spec.IPFamilyPolicy = &single
	}
	if svc.Spec.Type == core.ServiceTypeNodePort || svc.Spec.Type == core.ServiceTypeLoadBalancer {
		for i := range svc.Spec.Ports {
			if svc.Spec.Ports[i].NodePort == 0 {
				svc.Spec.Ports[i].NodePort = int32(30000 + i)
			}
		}
	}
	if svc.Spec.Type == core.ServiceTypeLoadBalancer && svc.Spec.HealthCheckNodePort == 0 &&
		svc.Spec.ExternalTrafficPolicy == core.ServiceExternalTrafficPolicyLocal {
		svc.Spec.HealthCheckNodePort = 32000
	}
}
