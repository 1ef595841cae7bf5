package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// ruleDrain: a service pod waits in preStop (it leaves the endpoints and DNS while still serving), then drains
// for its grace period after SIGTERM; Kubernetes kills it at terminationGracePeriodSeconds, which must cover both.
func ruleDrain(s *stack) []string {
	var problems []string
	for _, d := range s.deployments {
		spec := d.Spec.Template.Spec
		period := int64(corev1.DefaultTerminationGracePeriodSeconds)
		if spec.TerminationGracePeriodSeconds != nil {
			period = *spec.TerminationGracePeriodSeconds
		}
		for i := range spec.Containers {
			c := &spec.Containers[i]
			if _, ok := services[c.Name]; !ok {
				continue
			}
			where := fmt.Sprintf("Deployment/%s: container %s", d.Name, c.Name)
			wait, ok := preStopSeconds(c)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: no preStop wait: the pod would stop accepting before "+
					"its callers and load balancers have dropped it (lifecycle.preStop.sleep.seconds)", where))
			}
			graceMs, source, err := drainGraceMs(s, d, c)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", where, err))
				continue
			}
			need := wait + (graceMs+999)/1000
			if period < need {
				problems = append(problems, fmt.Sprintf("%s: terminationGracePeriodSeconds is %d, less than the "+
					"preStop wait (%d s) plus the drain grace (%d ms, %s) = %d s: requests still in flight would be "+
					"killed", where, period, wait, graceMs, source, need))
			}
		}
	}
	return problems
}

var sleepCommand = regexp.MustCompile(`^\s*(?:exec\s+)?sleep\s+(\d+)\s*$`)

// preStopSeconds reads a preStop sleep action, or an exec of `sleep N` (directly or through sh -c).
func preStopSeconds(c *corev1.Container) (int64, bool) {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0, false
	}
	h := c.Lifecycle.PreStop
	if h.Sleep != nil {
		return h.Sleep.Seconds, h.Sleep.Seconds > 0
	}
	if h.Exec != nil && len(h.Exec.Command) > 0 {
		cmd := h.Exec.Command
		line := strings.Join(cmd, " ")
		if len(cmd) >= 3 && strings.HasSuffix(cmd[0], "sh") && cmd[1] == "-c" {
			line = cmd[2]
		}
		if m := sleepCommand.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			return n, n > 0
		}
	}
	return 0, false
}

// drainGraceMs is the service's drain grace: <PREFIX>_SHUTDOWN_GRACE_MS, else drain.grace in its configuration
// file (the environment wins, docs/adr/0005-configuration-files.md). It must be stated: defaults change.
func drainGraceMs(s *stack, d *appsv1.Deployment, c *corev1.Container) (int64, string, error) {
	key := services[c.Name].prefix + "_SHUTDOWN_GRACE_MS"
	if v, ok := env(c, key); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, "", fmt.Errorf("%s=%q is not a number of milliseconds", key, v)
		}
		return n, key, nil
	}
	p, config, err := s.configFile(d, c)
	if err != nil {
		return 0, "", err
	}
	if grace, ok := mapAt(config, "drain")["grace"]; ok {
		ms, err := durationMs(grace)
		if err != nil {
			return 0, "", fmt.Errorf("%s: drain.grace: %v", p, err)
		}
		return ms, p + " drain.grace", nil
	}
	return 0, "", fmt.Errorf("the drain grace is not stated: set %s or drain.grace in its configuration file", key)
}

var durationPattern = regexp.MustCompile(`^(\d+(?:\.\d+)?)(ms|s|m|h)?$`)

// durationMs reads the configuration files' durations: 500ms, 30s, 2m, 1h, or a number of milliseconds.
func durationMs(v any) (int64, error) {
	switch n := v.(type) {
	case float64:
		return int64(n), nil
	case int64:
		return n, nil
	case string:
		m := durationPattern.FindStringSubmatch(strings.TrimSpace(n))
		if m == nil {
			return 0, fmt.Errorf("%q is not a duration (500ms, 30s, 2m)", n)
		}
		f, _ := strconv.ParseFloat(m[1], 64)
		unit := map[string]float64{"": 1, "ms": 1, "s": 1e3, "m": 60e3, "h": 3600e3}[m[2]]
		return int64(f * unit), nil
	}
	return 0, fmt.Errorf("%v is not a duration", v)
}
