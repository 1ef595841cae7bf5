// Command k8s-check reads rendered Kubernetes manifests (the output of `kustomize build`) and fails on anything a
// cluster of the pinned version would reject, or that would break this stack on one:
//
//   - every object decoded strictly against the Kubernetes API types (unknown and duplicate fields, wrong types);
//   - defaulted and validated by the API server's own validation code (required fields, formats, ranges);
//   - every pod template held to the Pod Security Standards' "restricted" level by the admission plugin's code;
//   - the stack's own rules (rules*.go), which no cluster enforces: headless Services for the gRPC pools, grace
//     periods that cover the drain, probes on the admin listener, limits, NetworkPolicies.
//
// Usage: k8s-check [-configs DIR] FILE... (or - for standard input). Exit status 0: nothing found; 1: problems,
// one per line; 2: a file could not be read. With -configs, the configuration file each container runs with
// (--config, taken from its ConfigMap) is written to DIR/<file>.<deployment>.<container>.yaml, so the program
// that reads it can validate it (tools/k8s/check.sh does, with Jaeger's `validate`).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The Kubernetes minor version whose API types, validation and Pod Security levels are checked against; it must
// match k8s.io/kubernetes and its staging modules in go.mod.
const (
	kubeMinor         = 35
	KubernetesVersion = "1.35"
)

func main() {
	configs := flag.String("configs", "", "write each container's --config file into this directory")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: k8s-check [-configs DIR] FILE... (- for standard input)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	failed := false
	for _, name := range flag.Args() {
		problems, err := checkFile(name, *configs)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-check: %s: %v\n", name, err)
			os.Exit(2)
		}
		for _, p := range problems {
			fmt.Printf("%s: %s\n", name, oneLine.ReplaceAllString(p, " "))
		}
		if len(problems) > 0 {
			failed = true
			fmt.Fprintf(os.Stderr, "k8s-check: %s: %d problem(s)\n", name, len(problems))
		} else {
			fmt.Fprintf(os.Stderr, "k8s-check: %s: ok (Kubernetes %s)\n", name, KubernetesVersion)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// oneLine joins a multi-line message (the YAML decoder's) so that every problem is one line.
var oneLine = regexp.MustCompile(`\s*\n\s*`)

func checkFile(name, configs string) ([]string, error) {
	var in io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	objects, failed, problems, err := decodeAll(in)
	if err != nil {
		return nil, err
	}
	for _, o := range objects {
		problems = append(problems, validate(o)...)
	}
	s := newStack(objects, failed)
	problems = append(problems, checkRules(s)...)
	if configs != "" {
		prefix := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		if err := s.writeConfigs(configs, prefix); err != nil {
			return nil, err
		}
	}
	return problems, nil
}
