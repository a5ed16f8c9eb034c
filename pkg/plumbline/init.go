package plumbline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"

	"github.com/plumbline/plumbline/pkg/config"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// layout is what Init found in a repository.
type layout struct {
	terraform, ansible, policies, kustomize []string
	zones                                   []foundZone
	// argocd, flux, tekton: files of each kind found (ArgoCD
	// Applications, Flux objects, Tekton resources), for the comments
	// and the settings they turn on.
	argocd, flux, tekton []string
	// origin is the repository's origin remote: the URL its ArgoCD
	// Applications and Flux sources name for "this repository".
	origin string
}

// foundZone is a zone file and the name servers its apex NS records name.
type foundZone struct {
	zone, file string
	servers    []string
	// snapshots are files of the zone as a server serves it.
	snapshots []string
}

// isSnapshot: a zone file under a directory named for snapshots of
// what servers serve (live, dns-live, snapshots), not the desired zone.
func isSnapshot(file string) bool {
	dirs := strings.Split(file, "/")
	for _, d := range dirs[:len(dirs)-1] {
		if d := strings.ToLower(d); strings.Contains(d, "live") || strings.Contains(d, "snapshot") {
			return true
		}
	}
	return false
}

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
		case isAnsible(filepath.ToSlash(rel), name, p, start):
			ansTops[top] = true
		case strings.HasSuffix(name, ".rego") && !strings.HasSuffix(name, "_test.rego"):
			regoDirs[filepath.ToSlash(filepath.Dir(rel))] = true
		case name == "kustomization.yaml" || name == "kustomization.yml":
			l.kustomize = append(l.kustomize, filepath.ToSlash(rel))
		case strings.HasSuffix(name, ".zone") || strings.HasPrefix(name, "db.") || strings.HasSuffix(name, ".db"):
			if z, servers, ok := zoneOf(p, name); ok {
				l.zones = append(l.zones, foundZone{zone: z, file: filepath.ToSlash(rel), servers: servers})
			}
		case start != nil && isDNSYAML(start):
			l.zones = append(l.zones, foundZone{file: filepath.ToSlash(rel)})
		}
		if start != nil {
			switch kindOf(start) {
			case "argocd":
				l.argocd = append(l.argocd, filepath.ToSlash(rel))
			case "flux":
				l.flux = append(l.flux, filepath.ToSlash(rel))
			case "tekton":
				l.tekton = append(l.tekton, filepath.ToSlash(rel))
			}
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
	// Snapshots of what servers serve (a directory named for it: live/,
	// dns-live/, snapshots/) are live sources of the zone, not zones.
	var snapshots []foundZone
	l.zones = slices.DeleteFunc(l.zones, func(z foundZone) bool {
		if isSnapshot(z.file) {
			snapshots = append(snapshots, z)
			return true
		}
		return false
	})
	for i := range l.zones {
		for _, s := range snapshots {
			if s.zone != "" && s.zone == l.zones[i].zone {
				l.zones[i].snapshots = append(l.zones[i].snapshots, s.file)
			}
		}
	}
	l.origin = originURL(dir)
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

// isAnsible finds Ansible by its own markers: ansible.cfg, a playbook, an
// inventory, a role's tasks or a collection requirements file next to
// them; never by YAML that merely has a hosts: key (an Ingress's tls).
func isAnsible(rel, name, path string, start []byte) bool {
	switch {
	case name == "ansible.cfg":
		return true
	case strings.Contains("/"+rel, "/roles/") && (strings.HasSuffix(rel, "/tasks/main.yml") || strings.HasSuffix(rel, "/tasks/main.yaml")):
		return true
	case start == nil:
		return (name == "hosts" || name == "hosts.ini" || name == "inventory.ini") && isINIInventory(head(path))
	}
	return isPlaybook(path, start) || isYAMLInventory(start)
}

// isPlaybook: a YAML file whose top level is a list of plays (mappings
// with hosts:, or import_playbook:), as ansible-playbook reads one.
func isPlaybook(path string, start []byte) bool {
	// A play names its hosts near the top: only then is the file read whole.
	if !bytes.Contains(start, []byte("hosts")) && !bytes.Contains(start, []byte("import_playbook")) {
		return false
	}
	data, err := readSmall(path)
	if err != nil {
		return false
	}
	var plays []map[string]any
	if yaml.Unmarshal(data, &plays) != nil || len(plays) == 0 {
		return false
	}
	for _, p := range plays {
		for _, k := range []string{"hosts", "import_playbook", "ansible.builtin.import_playbook"} {
			if _, ok := p[k]; ok {
				return true
			}
		}
	}
	return false
}

// isYAMLInventory: a YAML inventory's top level is all: (or a group)
// with hosts:, children: or vars:.
func isYAMLInventory(start []byte) bool {
	return bytes.HasPrefix(start, []byte("all:")) || bytes.Contains(start, []byte("\nall:")) &&
		(bytes.Contains(start, []byte("\n  hosts:")) || bytes.Contains(start, []byte("\n  children:")))
}

// isINIInventory: an INI inventory has [group] sections of host lines.
func isINIInventory(start []byte) bool {
	return iniGroup.Match(start)
}

// readSmall reads a file of at most 256 KiB: a playbook, not a data dump.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 256<<10+1))
	if err != nil || len(data) > 256<<10 {
		return nil, errors.New("too large")
	}
	return data, nil
}

var (
	iniGroup  = regexp.MustCompile(`(?m)^\[[A-Za-z0-9_:-]+\]\s*$`)
	fluxAPI   = regexp.MustCompile(`apiVersion: (kustomize|helm|source|notification|image)\.toolkit\.fluxcd\.io/`)
	tektonAPI = regexp.MustCompile(`apiVersion: (triggers\.)?tekton\.dev/`)
)

// kindOf tells ArgoCD, Flux and Tekton YAML by their API groups.
func kindOf(start []byte) string {
	switch {
	case bytes.Contains(start, []byte("apiVersion: argoproj.io/")):
		return "argocd"
	case fluxAPI.Match(start):
		return "flux"
	case tektonAPI.Match(start):
		return "tekton"
	}
	return ""
}

// originURL is the repository's origin remote, or "": what its ArgoCD
// Applications and Flux GitRepositories name it by.
func originURL(dir string) string {
	cmd := exec.Command("git", "config", "--get", "remote.origin.url")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	u := strings.TrimSpace(string(out))
	// Never a token in a URL into a file that is committed.
	if i := strings.Index(u, "@"); i > 0 && strings.Contains(u[:i], "://") && strings.Contains(u[strings.Index(u, "://")+3:i], ":") {
		u = u[:strings.Index(u, "://")+3] + u[i+1:]
	}
	return u
}

// isDNSYAML: our DNS YAML format has zone: and records: at the top.
func isDNSYAML(h []byte) bool {
	return bytes.Contains(h, []byte("\nrecords:")) && (bytes.HasPrefix(h, []byte("zone:")) || bytes.Contains(h, []byte("\nzone:")))
}

// zoneOf reads a zone file's name and the servers of its apex NS records.
func zoneOf(p, name string) (string, []string, bool) {
	data := head(p)
	if !bytes.Contains(data, []byte("SOA")) && !bytes.Contains(data, []byte("soa")) {
		return "", nil, false
	}
	z, err := zonefile.Name(name, data, "")
	if err != nil {
		return "", nil, false
	}
	var servers []string
	if full, err := readSmall(p); err == nil {
		zonefile.Read(name, full, z, "", func(rr dns.RR) {
			if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(ns.Hdr.Name, z) {
				if s := strings.ToLower(strings.TrimSuffix(ns.Ns, ".")); !slices.Contains(servers, s) {
					servers = append(servers, s)
				}
			}
		}, nil)
	}
	return strings.TrimSuffix(z, "."), servers, true
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
	if l.origin != "" {
		b.WriteString("  # this repository, as ArgoCD Applications and Flux sources name it (from git's origin)\n")
		fmt.Fprintf(&b, "  repoURLs: [%s]\n", quote(l.origin))
	}
	if len(l.argocd) > 0 {
		fmt.Fprintf(&b, "  # ArgoCD found (%s): the bundled argocd rules check Applications and AppProjects\n", firstFew(l.argocd))
	}
	if len(l.flux) > 0 {
		fmt.Fprintf(&b, "  # Flux found (%s): the bundled flux rules check Kustomizations, HelmReleases and sources\n", firstFew(l.flux))
	}
	if len(l.argocd) > 0 || len(l.flux) > 0 {
		b.WriteString("  # the charts Applications and HelmReleases deploy are rendered and checked; those of chart\n" +
			"  # repositories come from a cache (helm pull -d CACHE/HOST/PATH), else are named as not rendered\n" +
			"  # chartCache: charts-cache\n")
	}
	if len(l.tekton) > 0 {
		fmt.Fprintf(&b, "  # Tekton YAML found (%s): its Tasks, Pipelines and runs are checked against each other\n", firstFew(l.tekton))
		b.WriteString("  tekton: true\n")
	}
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
			if len(z.servers) > 0 {
				var urls []string
				for _, s := range z.servers {
					urls = append(urls, "axfr://"+s+"/"+z.zone)
				}
				fmt.Fprintf(&b, "      # the zone's NS records name them; use them with the address the run can reach, and tsigKeyFile if transfers need a key\n")
				fmt.Fprintf(&b, "      # live: [%s]\n", strings.Join(urls, ", "))
			}
			if len(z.snapshots) > 0 {
				b.WriteString("      # snapshots of what the servers serve, found in the repository\n      live:\n")
				for _, f := range z.snapshots {
					fmt.Fprintf(&b, "        - %s\n", quote(f))
				}
			} else {
				b.WriteString("      live: []\n")
			}
		}
		b.WriteString("  maxDeletePercent: 30\n")
		if slices.ContainsFunc(l.zones, func(z foundZone) bool { return len(z.servers) > 1 || len(z.snapshots) > 1 }) {
			b.WriteString("  # more than one server per zone: servers that disagree fail the run (dns/server-drift)\n")
			b.WriteString("  failOnDrift: true\n")
		}
	}
	return b.String()
}

// firstFew names up to three files, and how many more.
func firstFew(files []string) string {
	if len(files) <= 3 {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(files[:3], ", "), len(files)-3)
}

// quote writes a YAML string that reads back as itself.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\\ \t") && !strings.HasPrefix(s, "-") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
