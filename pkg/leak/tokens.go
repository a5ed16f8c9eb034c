package leak

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
)

//go:embed homelab.toml
var homelabRules string

// tokens is gitleaks' detector with its default rules and ours, built
// once: compiling ~230 expressions takes about 100 ms.
var tokens = sync.OnceValues(func() (*detect.Detector, error) {
	// gitleaks logs to stderr at info level; what it finds is returned,
	// and its debug chatter has no place in a check's output.
	logging.Logger = zerolog.Nop()
	cfg, err := readConfig(config.DefaultConfig)
	if err != nil {
		return nil, fmt.Errorf("gitleaks default rules: %w", err)
	}
	// A Kubernetes Secret in YAML is read as YAML (yaml.go): a value
	// per key, SOPS and placeholders known; the regex would guess.
	delete(cfg.Rules, "kubernetes-secret-yaml")
	cfg.OrderedRules = slices.DeleteFunc(cfg.OrderedRules, func(id string) bool { return id == "kubernetes-secret-yaml" })
	ours, err := readConfig(homelabRules)
	if err != nil {
		return nil, fmt.Errorf("homelab rules: %w", err)
	}
	for id, r := range ours.Rules {
		if _, dup := cfg.Rules[id]; dup {
			return nil, fmt.Errorf("homelab rule %s: gitleaks has a rule of that id", id)
		}
		cfg.Rules[id] = r
		cfg.OrderedRules = append(cfg.OrderedRules, id)
		for _, k := range r.Keywords {
			cfg.Keywords[strings.ToLower(k)] = struct{}{}
		}
	}
	return detect.NewDetectorContext(context.Background(), cfg), nil
})

// Warm builds the detector in the background, for a run that will scan
// soon and has other work meanwhile.
func Warm() { go tokens() }

// readConfig reads rules in gitleaks' TOML format the way gitleaks does
// (viper into its ViperConfig, then Translate), with a viper of its own:
// the global one is gitleaks' CLI's.
func readConfig(text string) (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(text)); err != nil {
		return config.Config{}, err
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, err
	}
	return vc.Translate()
}
