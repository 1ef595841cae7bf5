package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	"sigs.k8s.io/yaml"
)

// object is one decoded manifest: the typed object of its served version, and where it came from.
type object struct {
	doc int
	gvk schema.GroupVersionKind
	obj runtime.Object
}

// served lists the kinds this check knows, each at the version a cluster serves it (no beta or removed versions).
var served = map[schema.GroupVersionKind]bool{
	{Group: "", Version: "v1", Kind: "Namespace"}:                          true,
	{Group: "", Version: "v1", Kind: "ConfigMap"}:                          true,
	{Group: "", Version: "v1", Kind: "Service"}:                            true,
	{Group: "", Version: "v1", Kind: "PersistentVolumeClaim"}:              true,
	{Group: "apps", Version: "v1", Kind: "Deployment"}:                     true,
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}:          true,
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}: true,
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:     true,
}

// strictDecoder rejects unknown fields, duplicate fields and values of the wrong type; it does not convert.
var strictDecoder = serializer.NewCodecFactory(legacyscheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

// decodeAll decodes every document of a YAML stream. A document that fails is a problem, not an error: the
// others are still checked, and the names of those that failed are returned (Kind/name) so that rules do not
// report them missing.
func decodeAll(in io.Reader) ([]object, map[string]bool, []string, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	var objects []object
	var problems []string
	failed := map[string]bool{}
	for doc := 1; ; doc++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			doc--
			continue
		}
		o, problem := decodeOne(doc, raw)
		if problem != "" {
			problems = append(problems, problem)
			failed[describe(doc, raw)] = true
			continue
		}
		objects = append(objects, o)
	}
	if len(objects) == 0 && len(problems) == 0 {
		problems = append(problems, "no objects: is this the output of kustomize build?")
	}
	return objects, failed, problems, nil
}

func decodeOne(doc int, raw []byte) (object, string) {
	obj, gvk, err := strictDecoder.Decode(raw, nil, nil)
	where := describe(doc, raw)
	if err != nil {
		return object{}, fmt.Sprintf("%s: %v", where, err)
	}
	if !served[*gvk] {
		return object{}, fmt.Sprintf("%s: %s %s is not a kind this check knows at a version Kubernetes %s serves",
			where, gvk.GroupVersion(), gvk.Kind, KubernetesVersion)
	}
	return object{doc: doc, gvk: *gvk, obj: obj}, ""
}

// describe names a document as Kind/name, read leniently so that a document that does not decode is named too.
func describe(doc int, raw []byte) string {
	var head metav1.PartialObjectMetadata
	if err := yaml.Unmarshal(raw, &head); err != nil || head.Kind == "" {
		return fmt.Sprintf("document %d", doc)
	}
	if head.Name == "" {
		return fmt.Sprintf("document %d (%s)", doc, head.Kind)
	}
	return head.Kind + "/" + head.Name
}

func stripComments(raw []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}
