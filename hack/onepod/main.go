// Command onepod makes the one-pod Tasks (tasks/validate.yaml,
// tasks/dns-preview.yaml) from hack/onepod/onepod.yaml and the
// StepActions, so the steps both Tasks run (fetch, dns-zone-diff,
// policy-check, report) are described once.
//
//	onepod [-root .]          write the Tasks
//	onepod -check [-root .]   exit 1 when a Task differs from what it makes
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

func main() {
	root := flag.String("root", ".", "the repository")
	check := flag.Bool("check", false, "write nothing; exit 1 when a Task differs from what would be written")
	flag.Parse()
	stale, err := run(*root, *check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "onepod:", err)
		os.Exit(2)
	}
	for _, f := range stale {
		fmt.Fprintf(os.Stderr, "onepod: %s differs from what hack/onepod/onepod.yaml and stepactions/ make: run make generate\n", f)
	}
	if len(stale) > 0 {
		os.Exit(1)
	}
}

// run makes every Task; with check it writes nothing and lists the files
// that differ.
func run(root string, check bool) (stale []string, err error) {
	files, err := Make(root)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		path := filepath.Join(root, f.Path)
		old, _ := os.ReadFile(path)
		if bytes.Equal(old, f.Data) {
			continue
		}
		if check {
			stale = append(stale, f.Path)
			continue
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return nil, err
		}
	}
	return stale, nil
}

// File is one generated file, root-relative.
type File struct {
	Path string
	Data []byte
}

// Make reads the description and the StepActions under root and makes
// every Task.
func Make(root string) ([]File, error) {
	data, err := os.ReadFile(filepath.Join(root, "hack", "onepod", "onepod.yaml"))
	if err != nil {
		return nil, err
	}
	var d Description
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("onepod.yaml: %w", err)
	}
	actions, err := readActions(filepath.Join(root, "stepactions"))
	if err != nil {
		return nil, err
	}
	var out []File
	for _, t := range d.Tasks {
		b, err := Generate(&d, actions, t)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Path: t.File, Data: b})
	}
	return out, nil
}
