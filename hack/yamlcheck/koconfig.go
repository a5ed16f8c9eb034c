package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/hack/tektoncheck"
	"gopkg.in/yaml.v3"
)

// RuleKoConfig: .ko.yaml builds every image the same way.
const RuleKoConfig = "ko-config"

type koConfig struct {
	DefaultBaseImage string   `yaml:"defaultBaseImage"`
	DefaultPlatforms []string `yaml:"defaultPlatforms"`
	Builds           []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
}

// checkKoConfig wants .ko.yaml to build every image under images/ the same
// way: static, trimmed, stripped, version stamped, for both platforms.
func checkKoConfig(root string) ([]tektoncheck.Problem, error) {
	const name = ".ko.yaml"
	data, err := os.ReadFile(filepath.Join(root, name))
	if errors.Is(err, fs.ErrNotExist) {
		return []tektoncheck.Problem{{File: name, Line: 1, Rule: RuleKoConfig, Msg: "missing"}}, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg koConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return []tektoncheck.Problem{{File: name, Line: 1, Rule: RuleKoConfig, Msg: err.Error()}}, nil
	}
	var ps []tektoncheck.Problem
	add := func(format string, args ...any) {
		ps = append(ps, tektoncheck.Problem{File: name, Line: 1, Rule: RuleKoConfig, Msg: fmt.Sprintf(format, args...)})
	}
	if strings.Join(cfg.DefaultPlatforms, ",") != tektoncheck.Platforms {
		add("defaultPlatforms is %v, want %s", cfg.DefaultPlatforms, tektoncheck.Platforms)
	}
	if cfg.DefaultBaseImage == "" {
		add("defaultBaseImage is missing")
	}
	built := map[string]bool{}
	for _, b := range cfg.Builds {
		main := strings.TrimPrefix(b.Main, "./")
		built[main] = true
		if !tektoncheck.MainPackage(filepath.Join(root, main)) {
			add("build %s: main %s is not a main package", b.ID, b.Main)
		}
		if !slices.Contains(b.Env, "CGO_ENABLED=0") {
			add("build %s: env lacks CGO_ENABLED=0", b.ID)
		}
		if !slices.Contains(b.Flags, "-trimpath") {
			add("build %s: flags lack -trimpath", b.ID)
		}
		ld := strings.Join(b.Ldflags, " ")
		for _, want := range []string{"-s", "-w", "-X " + tektoncheck.Module + "/pkg/version.Version="} {
			if !strings.Contains(ld, want) {
				add("build %s: ldflags lack %s", b.ID, strings.TrimSpace(want))
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "images"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() && !built["images/"+e.Name()] && tektoncheck.MainPackage(filepath.Join(root, "images", e.Name())) {
			add("no build for images/%s", e.Name())
		}
	}
	return ps, nil
}
