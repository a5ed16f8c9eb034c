package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// genOverlays writes 10 bases (a Deployment and a Service each) and 50
// overlays over them (5 per base): namespace, name prefix, an images
// entry, a replicas patch, a resources patch and a generated ConfigMap;
// every fifth overlay brings :latest back, every seventh drops the limits.
func genOverlays(b *testing.B, root string) []string {
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 10 {
		write(fmt.Sprintf("bases/b%d/kustomization.yaml", i), "resources: [deployment.yaml, service.yaml]\nlabels:\n  - pairs: {team: t"+fmt.Sprint(i)+"}\n")
		write(fmt.Sprintf("bases/b%d/deployment.yaml", i), fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app%d
  labels: {app: app%d}
spec:
  replicas: 1
  selector: {matchLabels: {app: app%d}}
  template:
    metadata: {labels: {app: app%d}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: app
          image: registry.home.arpa/app%d:1.0.0
          resources: {limits: {cpu: 500m, memory: 256Mi}}
        - name: sidecar
          image: busybox:1.36
          resources: {limits: {cpu: 100m, memory: 64Mi}}
`, i, i, i, i, i))
		write(fmt.Sprintf("bases/b%d/service.yaml", i), fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: app%d}\nspec:\n  selector: {app: app%d}\n  ports: [{port: 80}]\n", i, i))
	}
	var dirs []string
	for o := range 50 {
		base := o % 10
		tag := fmt.Sprintf("1.%d.0", o)
		if o%5 == 0 {
			tag = "latest"
		}
		limits := "limits: {cpu: 1, memory: 512Mi}"
		if o%7 == 0 {
			limits = "limits: null"
		}
		dir := fmt.Sprintf("overlays/o%02d", o)
		dirs = append(dirs, dir)
		write(dir+"/kustomization.yaml", fmt.Sprintf(`namespace: env%d
namePrefix: o%d-
resources: [../../bases/b%d]
images:
  - name: registry.home.arpa/app%d
    newTag: "%s"
patches:
  - path: replicas.yaml
  - path: resources.yaml
configMapGenerator:
  - name: settings
    literals: [ENV=o%d, LOG=info]
`, o, o, base, base, tag, o))
		write(dir+"/replicas.yaml", fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app%d}\nspec: {replicas: %d}\n", base, 1+o%3))
		write(dir+"/resources.yaml", fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app%d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          resources: {%s}\n", base, limits))
	}
	return dirs
}

// BenchmarkKustomizeOverlays50: render and check 50 overlays over 10
// bases: policy-check (in process, k8s/schema included) against what a
// pipeline does without it, `kustomize build overlay | conftest test -`
// per overlay, with the same 30 rules, in one run (issue 21's goal: 3x).
// The decisions are compared first.
func BenchmarkKustomizeOverlays50(b *testing.B) {
	conftest, _ := filepath.Abs("../build/tools/conftest")
	kustomize, _ := filepath.Abs("../build/tools/kustomize")
	for _, t := range []string{conftest, kustomize} {
		if _, err := os.Stat(t); err != nil {
			b.Fatalf("%s is the peer: run make tools (%v)", filepath.Base(t), err)
		}
	}
	bin := buildTool(b, "policy-check")
	root := b.TempDir()
	dirs := genOverlays(b, root)
	policy := filepath.Join(b.TempDir(), "policy")
	k8sPolicySet(b, policy)

	// The peer: per overlay, kustomize build piped into conftest.
	peer := func() (time.Duration, float64, [2]int) {
		var d time.Duration
		var mem float64
		var found [2]int
		for _, dir := range dirs {
			start := time.Now()
			k := exec.Command(kustomize, "build", dir)
			k.Dir = root
			out, err := k.Output()
			if err != nil {
				b.Fatalf("kustomize build %s: %v", dir, err)
			}
			mem = max(mem, rss(k))
			c := exec.Command(conftest, "test", "--output", "json", "--parser", "yaml", "-p", policy, "-")
			c.Stdin = bytes.NewReader(out)
			res, _ := c.Output()
			d += time.Since(start)
			mem = max(mem, rss(c))
			var results []struct{ Failures, Warnings []any }
			if err := json.Unmarshal(res, &results); err != nil {
				b.Fatalf("conftest output for %s: %v", dir, err)
			}
			for _, r := range results {
				found[0], found[1] = found[0]+len(r.Failures), found[1]+len(r.Warnings)
			}
		}
		return d, mem, found
	}
	ours := func(args ...string) (time.Duration, float64, [2]int) {
		cmd := exec.Command(bin, append([]string{"--format", "json", "-p", policy, "--waivers", ""}, append(args, "overlays")...)...)
		cmd.Dir = root
		start := time.Now()
		out, _ := cmd.Output()
		d := time.Since(start)
		var rep struct {
			Summary struct{ Errors, Warnings int }
			Files   int `json:"-"`
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			b.Fatalf("policy-check output: %v\n%s", err, out)
		}
		return d, rss(cmd), [2]int{rep.Summary.Errors, rep.Summary.Warnings}
	}
	_, _, want := peer()
	if _, _, got := ours("--schema=false"); got != want || want[0] == 0 {
		b.Fatalf("failures and warnings: policy-check %v, kustomize | conftest %v", got, want)
	}
	b.Logf("both find %d failures and %d warnings in 50 rendered overlays", want[0], want[1])

	var oursT, peerT time.Duration
	var oursMem, peerMem float64
	for b.Loop() {
		d, m, _ := peer()
		peerT, peerMem = peerT+d, max(peerMem, m)
		d, m, _ = ours()
		oursT, oursMem = oursT+d, max(oursMem, m)
	}
	reportVersus(b, oursT, peerT, oursMem, peerMem, "policy-check", "kustomize+conftest")
}

func rss(cmd *exec.Cmd) float64 {
	if cmd.ProcessState == nil {
		return 0
	}
	return float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024
}
