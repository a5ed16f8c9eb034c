package plumbline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// layout is what Init found in a repository.
type layout struct {
	terraform, ansible, policies, kustomize []string
	zones                                   []foundZone
}

type foundZone struct{ zone, file string }

// maxWalk bounds the files Init looks at: a repository, not a disk.
const maxWalk = 200_000

// Init writes DIR/.plumbline.yaml for the layout found there: Terraform
// root modules, Ansible projects, Rego policy directories, zone files and
// DNS YAML, kustomizations. It never overwrites a config.
func Init(dir string, out io.Writer) error {
	file := filepath.Join(dir, config.FileName)
	if _, err := os.Lstat(file); err == nil {
		return fmt.Errorf("%s exists; plumbline init never overwrites it", file)
	}
	l, err := detect(dir)
	if err != nil {
		return err
	}
	text := render(l)
	if _, err := config.Parse(file, []byte(text)); err != nil {
		return fmt.Errorf("the config written would not read back (a bug): %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s: terraform %s, ansible %s, policies %s, %d zone(s)%s\n", file,
		listOr(l.terraform), listOr(l.ansible), listOr(l.policies), len(l.zones), kustomizations(l))
	fmt.Fprintf(out, "next: review it, add each zone's live servers, then run plumbline check %s\n", dir)
	return nil
}

func listOr(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func kustomizations(l layout) string {
	if len(l.kustomize) == 0 {
		return ""
	}
	return fmt.Sprintf(", %d kustomization(s)", len(l.kustomize))
}

// detect walks dir (never following links, skipping .git and vendored
// trees) and groups what it finds by the top directory that holds it.
func detect(dir string) (layout, error) {
	var l layout
	tfTops, ansTops, regoDirs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts are left to the checks to report
		}
		if n++; n > maxWalk {
			return errors.New("more than 200,000 files: is DIR the repository?")
		}
		rel, _ := filepath.Rel(dir, p)
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		if top == rel {
			top = "."
		}
		// A YAML file's start tells a playbook from DNS YAML: read once.
		var start []byte
		if strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml") {
			start = head(p)
		}
		switch {
		case strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json"):
			tfTops[top] = true
		case name == "ansible.cfg" || name == "requirements.yml" && strings.Contains(rel, "ansible") || isPlaybook(start):
			ansTops[top] = true
		case strings.HasSuffix(name, ".rego") && !strings.HasSuffix(name, "_test.rego"):
			regoDirs[filepath.ToSlash(filepath.Dir(rel))] = true
		case name == "kustomization.yaml" || name == "kustomization.yml":
			l.kustomize = append(l.kustomize, filepath.ToSlash(rel))
		case strings.HasSuffix(name, ".zone") || strings.HasPrefix(name, "db.") || strings.HasSuffix(name, ".db"):
			if z, ok := zoneOf(p, name); ok {
				l.zones = append(l.zones, foundZone{z, filepath.ToSlash(rel)})
			}
		case start != nil && isDNSYAML(start):
			l.zones = append(l.zones, foundZone{"", filepath.ToSlash(rel)})
		}
		return nil
	})
	if err != nil {
		return l, err
	}
	l.terraform = sortedKeys(tfTops)
	l.ansible = sortedKeys(ansTops)
	// A policy directory holds .rego files; one inside another is the
	// same library.
	for _, d := range sortedKeys(regoDirs) {
		if !slices.ContainsFunc(l.policies, func(p string) bool { return strings.HasPrefix(d, p+"/") }) {
			l.policies = append(l.policies, d)
		}
	}
	// Live snapshots (a "live" directory) are sources, not desired zones.
	l.zones = slices.DeleteFunc(l.zones, func(z foundZone) bool { return strings.Contains("/"+z.file, "/live/") })
	return l, nil
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// head reads the start of a file: enough to tell what it is.
func head(p string) []byte {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, 8192)
	n, _ := io.ReadFull(f, b)
	return b[:n]
}

// isPlaybook: a YAML list whose items have hosts: (a play).
func isPlaybook(start []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(start))
	for sc.Scan() {
		t := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(t, "- hosts:") || strings.HasPrefix(t, "hosts:") && strings.HasPrefix(sc.Text(), "  ") {
			return true
		}
	}
	return false
}

// isDNSYAML: our DNS YAML format has zone: and records: at the top.
func isDNSYAML(h []byte) bool {
	return bytes.Contains(h, []byte("\nrecords:")) && (bytes.HasPrefix(h, []byte("zone:")) || bytes.Contains(h, []byte("\nzone:")))
}

func zoneOf(p, name string) (string, bool) {
	data := head(p)
	if !bytes.Contains(data, []byte("SOA")) && !bytes.Contains(data, []byte("soa")) {
		return "", false
	}
	z, err := zonefile.Name(name, data, "")
	return strings.TrimSuffix(z, "."), err == nil
}

// render writes the config with a comment on every choice, so the file
// explains itself.
func render(l layout) string {
	var b strings.Builder
	b.WriteString("# Plumbline: what is checked in this repository (docs/config.md).\n")
	b.WriteString("# yaml-language-server: $schema=https://raw.githubusercontent.com/plumbline/plumbline/main/schemas/plumbline.schema.json\n")
	b.WriteString("# A flag or Task param given explicitly wins over this file. Written by plumbline init.\n")
	b.WriteString("version: 1\nfailOn: error\n")
	section := func(name, what string, paths []string, extra string) {
		fmt.Fprintf(&b, "\n%s:\n", name)
		if len(paths) == 0 {
			fmt.Fprintf(&b, "  # no %s found; enable it when there is\n  enabled: false\n", what)
			return
		}
		fmt.Fprintf(&b, "  paths:\n")
		for _, p := range paths {
			fmt.Fprintf(&b, "    - %s\n", quote(p))
		}
		b.WriteString(extra)
	}
	section("terraform", "Terraform", l.terraform, "  # offline: true   # syntax and rules only, no terraform init/validate\n")
	section("ansible", "Ansible project", l.ansible, "  # profile: production\n")
	b.WriteString("\npolicy:\n  paths: [.]\n")
	if len(l.policies) > 0 {
		b.WriteString("  policies:\n")
		for _, p := range l.policies {
			fmt.Fprintf(&b, "    - %s\n", quote(p))
		}
		b.WriteString("  allNamespaces: true\n")
	} else {
		b.WriteString("  # no Rego policies found: the bundled homelab library runs (docs/policies.md)\n")
	}
	if len(l.kustomize) > 0 {
		fmt.Fprintf(&b, "  # kustomizations found (%s): their YAML is checked by the policies\n", strings.Join(l.kustomize, ", "))
	}
	b.WriteString("\ndns:\n")
	if len(l.zones) == 0 {
		b.WriteString("  # no zone files or DNS YAML found\n  enabled: false\n")
	} else {
		b.WriteString("  zones:\n")
		for _, z := range l.zones {
			if z.zone != "" {
				fmt.Fprintf(&b, "    - zone: %s\n      desired: %s\n", quote(z.zone), quote(z.file))
			} else {
				fmt.Fprintf(&b, "    - desired: %s\n", quote(z.file))
			}
			b.WriteString("      # every server of the zone; two or more are also compared with each other\n")
			b.WriteString("      live: []   # e.g. [axfr://dns1.home.arpa/ZONE, axfr://dns2.home.arpa/ZONE]\n")
		}
		b.WriteString("  maxDeletePercent: 30\n")
	}
	return b.String()
}

// quote writes a YAML string that reads back as itself.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\\ \t") && !strings.HasPrefix(s, "-") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
