// Command k8sschema writes pkg/kube's schema of the built-in Kubernetes
// kinds: the definitions of Kubernetes' own OpenAPI document
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes module at
// -version, from the Go module proxy), without descriptions, gzipped.
//
//	go run ./hack/k8sschema -version v1.34.4 -o pkg/kube/kubernetes.json.gz
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	version := flag.String("version", "v1.34.4", "k8s.io/kubernetes `VERSION` whose OpenAPI document to read")
	out := flag.String("o", "pkg/kube/kubernetes.json.gz", "output `FILE`")
	flag.Parse()
	if err := run(*version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "k8sschema:", err)
		os.Exit(1)
	}
}

func run(version, out string) error {
	dl, err := exec.Command("go", "mod", "download", "-json", "k8s.io/kubernetes@"+version).Output()
	if err != nil {
		return fmt.Errorf("go mod download k8s.io/kubernetes@%s: %w", version, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(dl, &mod); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(mod.Dir, "api", "openapi-spec", "swagger.json"))
	if err != nil {
		return err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	defs := map[string]any{}
	for name, d := range doc.Definitions {
		defs[name] = trim(d)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(map[string]any{"version": strings.TrimPrefix(version, "v"), "definitions": defs}); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// kept are the schema keywords pkg/kube reads.
var kept = map[string]bool{"type": true, "format": true, "$ref": true, "required": true,
	"x-kubernetes-group-version-kind": true}

func trim(s map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		switch {
		case kept[k]:
			out[k] = v
		case k == "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = trim(p.(map[string]any))
			}
			out[k] = props
		case k == "items" || k == "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				out[k] = trim(m)
			} else {
				out[k] = v
			}
		}
	}
	return out
}
