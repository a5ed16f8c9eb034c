package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/plumbline/plumbline/hack/tektoncheck"
)

// RuleMinVersion: what the shipped YAML claims to run on
// (tekton.dev/pipelines.minVersion) is the Tekton Pipelines release make
// e2e runs it on, read from test/e2e/upstream/pipeline/go.mod. A claim
// nobody ran is not made: a change of the tested release changes the
// claim with it.
const RuleMinVersion = "min-version"

var minVersionRE = regexp.MustCompile(`^\s*tekton\.dev/pipelines\.minVersion:\s*"?([^"\s]+)"?`)

func checkMinVersion(root string, files []string) ([]tektoncheck.Problem, error) {
	tested, err := testedPipeline(root)
	if err != nil {
		return nil, err
	}
	var ps []tektoncheck.Problem
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			if m := minVersionRE.FindStringSubmatch(sc.Text()); m != nil && m[1] != tested {
				rel, _ := filepath.Rel(root, f)
				ps = append(ps, tektoncheck.Problem{File: rel, Line: n, Rule: RuleMinVersion,
					Msg: fmt.Sprintf("claims Tekton Pipelines %s; make e2e runs it on %s only (test/e2e/upstream/pipeline/go.mod)", m[1], tested)})
			}
		}
	}
	return ps, nil
}

// testedPipeline is the Tekton Pipelines version e2e builds, without v.
func testedPipeline(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "test", "e2e", "upstream", "pipeline", "go.mod"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/tektoncd/pipeline v([0-9.]+)`).FindSubmatch(data)
	if m == nil {
		return "", fmt.Errorf("test/e2e/upstream/pipeline/go.mod requires no github.com/tektoncd/pipeline")
	}
	return string(m[1]), nil
}
