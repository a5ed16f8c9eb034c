package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
	"github.com/plumbline/plumbline/pkg/tree"
)

// FileName is where every binary looks for the config when --config is not
// given: the working directory, which in a pipeline is the repository.
const FileName = ".plumbline.yaml"

// MaxFileSize bounds the config; a real one is a few KiB.
const MaxFileSize = 1 << 20

// Config is a repository's .plumbline.yaml (docs/config.md). A field left
// out is nil or empty: the check's built-in default applies.
type Config struct {
	Version   int        `yaml:"version"`
	FailOn    string     `yaml:"failOn" flag:"fail-on"`
	Terraform *Terraform `yaml:"terraform" tool:"terraform-validate"`
	// TerraformPlan is the plan of trusted runs (terraform-plan).
	TerraformPlan *TerraformPlan `yaml:"terraformPlan" tool:"terraform-plan"`
	Ansible       *Ansible       `yaml:"ansible" tool:"ansible-lint-check"`
	Policy        *Policy        `yaml:"policy" tool:"policy-check"`
	DNS           *DNS           `yaml:"dns" tool:"dns-zone-diff"`
	Report        *Report        `yaml:"report" tool:"report"`
	// Kubernetes is the cluster the repository deploys to, for every
	// check that judges Kubernetes objects (the policy check's API
	// lifecycle rules). A section with a "for" tag is shared: its
	// settings go to each tool it names, beside that tool's own.
	Kubernetes *Kubernetes `yaml:"kubernetes" for:"policy-check"`
	// PullRequests is what a pull request's run checks, for every check
	// that narrows to what a change touches.
	PullRequests *PullRequests `yaml:"pullRequests" for:"terraform-validate,ansible-lint-check,dns-zone-diff,policy-check"`

	// File is where the config was read; its paths are relative to Dir.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
	pos  map[string]pos
}

// Kubernetes is the cluster the manifests are for.
type Kubernetes struct {
	// Version is its release as its API server reports it (1.31,
	// v1.31.4+k3s1).
	Version string `yaml:"version" flag:"kubernetes-version"`
}

// PullRequests says whether a pull request's run checks only what it
// touches (and what uses that) or everything. Pushes check everything.
type PullRequests struct {
	ChangedOnly *bool `yaml:"changedOnly" flag:"changed-only"`
}

// Terraform configures terraform-validate.
type Terraform struct {
	Enabled *bool    `yaml:"enabled"`
	Paths   []string `yaml:"paths" args:"true" path:"true"`
	Include []string `yaml:"include" flag:"include"`
	Exclude []string `yaml:"exclude" flag:"exclude"`
	Offline *bool    `yaml:"offline" flag:"offline"`
	Jobs    *int     `yaml:"jobs" flag:"jobs"`
	AllDirs *bool    `yaml:"allDirs" flag:"all-dirs"`
	Fmt     *bool    `yaml:"fmt" flag:"fmt"`
	Timeout string   `yaml:"timeout" flag:"timeout"`
}

// TerraformPlan configures terraform-plan, which runs only where the run
// is trusted (a push, a trusted author's pull request, a scheduled run).
type TerraformPlan struct {
	Enabled    *bool    `yaml:"enabled"`
	Paths      []string `yaml:"paths" args:"true" path:"true"`
	Include    []string `yaml:"include" flag:"include"`
	Exclude    []string `yaml:"exclude" flag:"exclude"`
	MaxDestroy string   `yaml:"maxDestroy" flag:"max-destroy"`
	// ProviderMirror is a filesystem mirror to install providers from.
	ProviderMirror string `yaml:"providerMirror" flag:"provider-mirror" path:"true"`
	AllDirs        *bool  `yaml:"allDirs" flag:"all-dirs"`
	Timeout        string `yaml:"timeout" flag:"timeout"`
}

// Ansible configures ansible-lint-check.
type Ansible struct {
	Enabled *bool    `yaml:"enabled"`
	Paths   []string `yaml:"paths" args:"true" path:"true"`
	Profile string   `yaml:"profile" flag:"profile"`
	Skip    []string `yaml:"skip" flag:"skip"`
	Warn    []string `yaml:"warn" flag:"warn"`
	Config  string   `yaml:"config" flag:"ansible-lint-config" path:"true"`
	Offline *bool    `yaml:"offline" flag:"offline"`
	Timeout string   `yaml:"timeout" flag:"timeout"`
}

// Policy configures policy-check.
type Policy struct {
	Enabled       *bool    `yaml:"enabled"`
	Paths         []string `yaml:"paths" args:"true" path:"true"`
	Policies      []string `yaml:"policies" flag:"policy" path:"true"`
	Namespaces    []string `yaml:"namespaces" flag:"namespace"`
	AllNamespaces *bool    `yaml:"allNamespaces" flag:"all-namespaces"`
	Data          []string `yaml:"data" flag:"data" path:"true"`
	Waivers       string   `yaml:"waivers" flag:"waivers" path:"true"`
	Ignore        string   `yaml:"ignore" flag:"ignore"`
	Combine       *bool    `yaml:"combine" flag:"combine"`
	Parser        string   `yaml:"parser" flag:"parser"`
	Schema        *bool    `yaml:"schema" flag:"schema"`
	Secrets       *bool    `yaml:"secrets" flag:"secrets"`
	Addresses     *bool    `yaml:"addresses" flag:"addresses"`
	Tekton        *bool    `yaml:"tekton" flag:"tekton"`
	Kustomize     string   `yaml:"kustomize" flag:"kustomize"`
	Helm          string   `yaml:"helm" flag:"helm"`
	ChartCache    string   `yaml:"chartCache" flag:"chart-cache" path:"true"`
	// ChartRepos may be fetched from when the run may fetch (a trusted
	// run, --fetch-charts); a pull request's come from its base branch.
	ChartRepos []string `yaml:"chartRepos" flag:"chart-repo"`
	// Production are the overlays and release files that deploy to
	// production (globs); a pull request's come from its base branch.
	Production []string `yaml:"production" flag:"production"`
	// Kustomizations are rendered instead of the entry points found.
	Kustomizations []string `yaml:"kustomizations" flag:"kustomization" path:"true"`
	RepoURLs       []string `yaml:"repoURLs" flag:"repo-url"`
	Jobs           *int     `yaml:"jobs" flag:"jobs"`
	Timeout        string   `yaml:"timeout" flag:"timeout"`
}

// DNS configures dns-zone-diff: every zone it diffs, each against every
// one of its live sources.
type DNS struct {
	Enabled          *bool    `yaml:"enabled"`
	Zones            []Zone   `yaml:"zones"`
	MaxDeletePercent *float64 `yaml:"maxDeletePercent" flag:"max-delete-percent"`
	MaxUpdatePercent *float64 `yaml:"maxUpdatePercent" flag:"max-update-percent"`
	MinRRsets        *int     `yaml:"minRRsets" flag:"min-rrsets"`
	AllowRootNS      *bool    `yaml:"allowRootNS" flag:"allow-root-ns"`
	ExpectNoChanges  *bool    `yaml:"expectNoChanges" flag:"expect-no-changes"`
	FailOnDrift      *bool    `yaml:"failOnDrift" flag:"fail-on-drift"`
	Prune            *bool    `yaml:"prune" flag:"prune"`
	DNSSEC           *bool    `yaml:"dnssec" flag:"dnssec"`
	Timeout          string   `yaml:"timeout" flag:"timeout"`
}

// Zone is one zone: where its records are kept in the repository, and
// the servers (or snapshots) that serve it.
type Zone struct {
	Zone        string   `yaml:"zone"`
	Desired     string   `yaml:"desired" path:"true"`
	Live        []string `yaml:"live" source:"true"`
	TSIGKeyFile string   `yaml:"tsigKeyFile"`
	TokenFile   string   `yaml:"tokenFile"`
	// AllowHTTP lets this zone's technitium+http:// sources (Technitium's
	// console on plain HTTP, port 5380) get the API token unencrypted.
	// In a pipeline the operator must also list http://HOST:PORT in the
	// credentials' allowed-hosts: a repository cannot choose it alone.
	AllowHTTP bool `yaml:"allowHTTP"`
}

// Report configures report. It has no enabled: the report is the
// verdict, and a repository that could switch it off would pass itself.
type Report struct {
	Missing string `yaml:"missing" flag:"missing"`
}

// Setting is a flag value the config gives a check: Values are passed to
// the flag's Set one by one, or are the PATH arguments when Flag is "".
type Setting struct {
	Flag   string
	Values []string
	// Key is the setting's place in the config ("terraform.jobs"), At its
	// position, for errors.
	Key string
	At  report.InputError
}

// Find returns the config file to read: file when given (it must exist;
// a directory stands for the FileName in it, when it has one), else
// FileName in dir when it exists, else "".
func Find(file, dir string) (string, error) {
	if file != "" {
		fi, err := os.Stat(file)
		if err != nil {
			return "", err
		}
		if !fi.IsDir() {
			return file, nil
		}
		dir = file
	}
	p := filepath.Join(dir, FileName)
	if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return p, nil
}

// FindUp is the directory holding the config for dir, as git finds .git:
// dir itself, else its nearest parent with a .plumbline.yaml, stopping at
// the repository's top (a directory with .git) and at the file system's
// root. "" when there is none.
func FindUp(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, FileName)); err == nil {
			return dir, nil
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads and checks a config file. Every problem is a
// *report.InputError at its line and column, joined.
func Load(file string) (*Config, error) { return LoadPinned(file, "") }

// NoFile is the digest of a config that is not there: the fetch step found
// no .plumbline.yaml in the commit.
const NoFile = "none"

// Digest is the sha256 (hex) of a config's bytes, as the fetch step
// records it (sha256sum) before any of the repository's code runs.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ChangedError is a config that is not the one the fetch step recorded:
// code a check ran (a provider, a plugin) wrote it, or removed it.
type ChangedError struct {
	File      string
	Got, Want string
}

func (e *ChangedError) Error() string {
	switch {
	case e.Want == NoFile:
		return fmt.Sprintf("config %s: refused: the commit fetched has none, so a step after the fetch wrote it", e.File)
	case e.Got == NoFile:
		return fmt.Sprintf("config %s: refused: the fetch step recorded one (sha256 %s), and it is gone", e.File, e.Want)
	}
	return fmt.Sprintf("config %s: refused: not the file fetched (sha256 %s, the fetch step recorded %s)", e.File, e.Got, e.Want)
}

// LoadPinned is Load of a config that must be the one the fetch step
// recorded: want is its sha256 (NoFile: there must be none, and nil comes
// back), or "" for any. A directory stands for the FileName in it, which,
// with want "", may be absent (nil). The bytes hashed are the bytes parsed, so the file
// cannot change between the two.
func LoadPinned(file, want string) (*Config, error) {
	want = strings.ToLower(strings.TrimSpace(want))
	if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		// A clone, as a Pipeline's report Task is given it: its config,
		// which it may not have.
		file = filepath.Join(file, FileName)
		if _, err := os.Lstat(file); want == "" && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	if want == NoFile {
		if _, err := os.Lstat(file); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, &ChangedError{File: file, Got: "present", Want: NoFile}
	}
	data, err := tree.ReadFile(tree.RootFor(".", file), file, MaxFileSize)
	if want != "" && errors.Is(err, fs.ErrNotExist) {
		return nil, &ChangedError{File: file, Got: NoFile, Want: want}
	}
	var te *tree.Error
	if errors.As(err, &te) {
		return nil, &report.InputError{File: file, Msg: te.Msg}
	}
	if err != nil {
		return nil, err
	}
	if got := Digest(data); want != "" && got != want {
		return nil, &ChangedError{File: file, Got: got, Want: want}
	}
	c, err := Parse(file, data)
	if err != nil {
		return nil, err
	}
	c.File, c.Dir = file, filepath.Dir(file)
	return c, nil
}

// Enabled reports whether the config leaves tool on (the default).
func (c *Config) Enabled(tool string) bool {
	v, _, ok := c.section(tool)
	if !ok {
		return true
	}
	e := v.FieldByName("Enabled")
	return !e.IsValid() || e.IsNil() || e.Elem().Bool()
}

// section is tool's part of c and its key ("terraform"); ok is false when
// c has none.
func (c *Config) section(tool string) (v reflect.Value, key string, ok bool) {
	cv := reflect.ValueOf(c).Elem()
	t := cv.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("tool") != tool {
			continue
		}
		if f := cv.Field(i); !f.IsNil() {
			return f.Elem(), yamlName(t.Field(i)), true
		}
		break
	}
	return reflect.Value{}, "", false
}

// Settings are the flag values c gives tool, in the order of its fields:
// failOn, then the tool's section. Paths are made relative to the
// working directory (they are written relative to the config's).
func (c *Config) Settings(tool string) []Setting {
	var out []Setting
	add := func(key string, sf reflect.StructField, f reflect.Value) {
		name, args := sf.Tag.Get("flag"), sf.Tag.Get("args") == "true"
		if name == "" && !args {
			return
		}
		var values []string
		switch f.Kind() {
		case reflect.Pointer:
			if f.IsNil() {
				return
			}
			values = []string{scalar(f.Elem())}
		case reflect.Slice:
			if f.Len() == 0 {
				return
			}
			for i := range f.Len() {
				values = append(values, f.Index(i).String())
			}
		case reflect.String:
			if f.String() == "" {
				return
			}
			values = []string{f.String()}
		default:
			return
		}
		if sf.Tag.Get("path") == "true" {
			for i, p := range values {
				values[i] = c.Path(p)
			}
		}
		s := Setting{Flag: name, Values: values, Key: key, At: c.at(key)}
		if args {
			s.Flag = ""
		}
		out = append(out, s)
	}
	v := reflect.ValueOf(c).Elem()
	sf, _ := v.Type().FieldByName("FailOn")
	add("failOn", sf, v.FieldByName("FailOn"))
	for i := range v.NumField() {
		sf, f := v.Type().Field(i), v.Field(i)
		if !slices.Contains(strings.Split(sf.Tag.Get("for"), ","), tool) || f.IsNil() {
			continue
		}
		for j := range f.Elem().NumField() {
			add(yamlName(sf)+"."+yamlName(f.Elem().Type().Field(j)), f.Elem().Type().Field(j), f.Elem().Field(j))
		}
	}
	sec, prefix, ok := c.section(tool)
	if !ok {
		return out
	}
	for i := range sec.NumField() {
		sf := sec.Type().Field(i)
		add(prefix+"."+yamlName(sf), sf, sec.Field(i))
	}
	return out
}

// Errorf is a problem with the value at key ("dns.zones.1.live"), at its
// line and column.
func (c *Config) Errorf(key, format string, args ...any) error {
	e := c.at(key)
	e.Msg = key + ": " + fmt.Sprintf(format, args...)
	return &e
}

func (c *Config) at(key string) report.InputError {
	p := c.pos[key]
	return report.InputError{File: c.File, Line: p.line, Column: p.col}
}

// Path makes p, written relative to the config's directory, a path
// relative to the working directory.
func (c *Config) Path(p string) string {
	if p == "" || strings.HasPrefix(p, "@") {
		return p // "" is unset; @NAME names something built in (policy: @homelab)
	}
	return filepath.Join(c.Dir, filepath.FromSlash(p))
}

// ResolvedZones are the zones of dns with their desired and file live
// sources made relative to the working directory (URLs stay as written).
func (c *Config) ResolvedZones() []Zone {
	if c.DNS == nil {
		return nil
	}
	zones := make([]Zone, len(c.DNS.Zones))
	for i, z := range c.DNS.Zones {
		z.Desired = c.Path(z.Desired)
		z.Live = slices.Clone(z.Live)
		for j, l := range z.Live {
			if !isURL(l) {
				z.Live[j] = c.Path(l)
			}
		}
		zones[i] = z
	}
	return zones
}

// isURL tells a live source a server (scheme://) from a file.
func isURL(source string) bool { return strings.Contains(source, "://") }

func scalar(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int:
		return strconv.Itoa(int(v.Int()))
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return v.String()
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}
