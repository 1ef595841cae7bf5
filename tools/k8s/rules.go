package main

// checkRules runs the stack's own rules: what a cluster accepts but that would break this stack on it.
func checkRules(s *stack) []string {
	refs, problems := s.references()
	problems = append(problems, rulePools(s, refs)...)
	problems = append(problems, ruleDrain(s)...)
	problems = append(problems, ruleProbes(s)...)
	problems = append(problems, ruleResources(s)...)
	problems = append(problems, ruleHardening(s)...)
	problems = append(problems, ruleScaling(s)...)
	problems = append(problems, ruleNetworkPolicies(s, refs)...)
	return problems
}
