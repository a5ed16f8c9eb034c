package kustomize

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/plumbline/plumbline/pkg/report"
)

// deprecatedKey is the field kustomize's warning names ("# Warning:
// 'commonLabels' is deprecated. Please use 'labels' instead. …").
var deprecatedKey = regexp.MustCompile(`'([A-Za-z0-9]+)' is deprecated`)

// deprecations asks kustomize's own CheckDeprecatedFields about each
// kustomization the targets reach (their own and the bases and
// components they name), so the warning is the one kustomize prints and
// sits at the line of the field.
func deprecations(all map[string]*kust, targets []string, t *memTree) []*report.InputError {
	var out []*report.InputError
	seen := map[string]bool{}
	for _, d := range slices.Sorted(slices.Values(targets)) {
		for _, k := range reachable(all, d, t) {
			if seen[k.file] {
				continue // a base two overlays share: said once
			}
			seen[k.file] = true
			out = append(out, deprecatedIn(k, t)...)
		}
	}
	return out
}

// deprecatedIn is kustomize's own warnings about k's deprecated fields.
func deprecatedIn(k *kust, t *memTree) []*report.InputError {
	data, err := t.FileSystem.ReadFile(memPath(k.file))
	if err != nil {
		return nil
	}
	var kz types.Kustomization
	if kz.Unmarshal(data) != nil {
		return nil
	}
	msgs := kz.CheckDeprecatedFields()
	if msgs == nil {
		return nil
	}
	var out []*report.InputError
	for _, m := range *msgs {
		msg := strings.TrimPrefix(strings.TrimSpace(m), "# Warning: ")
		line := 0
		if key := deprecatedKey.FindStringSubmatch(msg); key != nil {
			line = topLevelLine(data, key[1])
		}
		out = append(out, &report.InputError{File: k.file, Line: line, Msg: msg})
	}
	return out
}

// topLevelLine is the line of key: at the top of a YAML document, or 0.
func topLevelLine(data []byte, key string) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.HasPrefix(sc.Text(), key+":") {
			return n
		}
	}
	return 0
}

var stderrMu sync.Mutex

// quietStderr sends what kustomize writes to os.Stderr nowhere until the
// returned func runs: the builds run one at a time, and what they would
// print is reported as findings instead. The process's own writers hold
// their *os.File, not the variable, and are not affected.
func quietStderr() func() {
	stderrMu.Lock()
	old := os.Stderr
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		stderrMu.Unlock()
		return func() {}
	}
	os.Stderr = null
	return func() {
		os.Stderr = old
		null.Close()
		stderrMu.Unlock()
	}
}
