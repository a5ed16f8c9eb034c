package dnszone

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/plumbline/plumbline/pkg/report"
)

// Source yields zones, keyed by origin.
type Source interface {
	Zones(ctx context.Context) (map[string]*Zone, error)
}

// Config is what sources need besides their address.
type Config struct {
	Root    string // $INCLUDE boundary for zone files
	Options Options
	TSIG    *TSIG  // for axfr://
	Token   string // for technitium+https://
	// AllowHTTP lets technitium+http:// send the token in the clear.
	AllowHTTP bool
	// Zone names the zone a single zone file holds (--zone with one zone).
	Zone string
}

// NewSource returns the source for spec: axfr://host[:port]/zone,
// technitium+https://host[:port]/zone, or a zone file, YAML file or
// directory of them. Any other scheme is an error.
func NewSource(spec string, cfg Config) (Source, error) {
	if i := strings.Index(spec, "://"); i >= 0 {
		u, err := url.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", spec, err)
		}
		switch u.Scheme {
		case "axfr":
			return newAXFR(u, cfg)
		case "technitium+https", "technitium+http":
			return newTechnitium(u, cfg)
		}
		return nil, fmt.Errorf("source %q: unknown scheme %q (want axfr://, or a file or directory)", spec, u.Scheme)
	}
	return &Files{Path: spec, Root: cfg.Root, Options: cfg.Options, Zone: cfg.Zone}, nil
}

// Files reads zones from a file or a directory of files: *.zone, *.db and
// files named after their zone are RFC 1035; *.yaml and *.yml are ours.
type Files struct {
	Path    string
	Root    string
	Options Options
	// Zone is the zone Path holds when it is one zone file; else each
	// file's zone is decided by zonefile.Name.
	Zone string
}

func (f *Files) Zones(context.Context) (map[string]*Zone, error) {
	fi, err := os.Stat(f.Path)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", f.Path, err)
	}
	files, zone := []string{f.Path}, f.Zone
	if fi.IsDir() {
		zone = ""
		entries, err := os.ReadDir(f.Path)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				files = append(files, filepath.Join(f.Path, e.Name()))
			}
		}
		sort.Strings(files)
	}
	root := f.Root
	if root == "" {
		root = "."
	}
	zones := map[string]*Zone{}
	for _, file := range files {
		var z *Zone
		switch ext := filepath.Ext(file); ext {
		case ".yaml", ".yml":
			z, err = ReadYAML(file, f.Options)
		case ".md", ".txt", ".json":
			continue
		default:
			z, err = ReadZoneFile(file, zone, root, f.Options)
		}
		if err != nil {
			return nil, err
		}
		if prev, ok := zones[z.Origin]; ok {
			return nil, &report.InputError{File: file, Msg: fmt.Sprintf("zone %s is already defined in %s", z.Origin, prev.File)}
		}
		zones[z.Origin] = z
	}
	if len(zones) == 0 {
		return nil, fmt.Errorf("source %s: no zone files", f.Path)
	}
	return zones, nil
}
