package helm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
)

// Options are `helm template`'s flags that ArgoCD and Flux set.
type Options struct {
	ReleaseName string   `json:"releaseName"` // --name-template (default release-name)
	Namespace   string   `json:"namespace"`   // --namespace (default default)
	KubeVersion string   `json:"kubeVersion"` // --kube-version (default Helm's)
	APIVersions []string `json:"apiVersions"` // --api-versions
	IncludeCRDs bool     `json:"includeCRDs"` // --include-crds
	SkipTests   bool     `json:"skipTests"`   // --skip-tests
	NoHooks     bool     `json:"noHooks"`     // --no-hooks
	// Values are the user's values files and --set flags, merged as helm
	// merges them before the chart's defaults are coalesced under them.
	// They travel as written: a number decoded and encoded again on the
	// way to the child would not render as helm renders it.
	Values Values `json:"values"`
}

// DefaultKubeVersion is .Capabilities.KubeVersion when none is
// configured: the helm CLI's default, its client-go's release (in a test
// binary Helm's own default would be its testing 1.20).
const DefaultKubeVersion = "v1.37.0"

// InChart starts the name of a values file (with no data) to be read
// from the chart itself.
const InChart = "@chart/"

// Doc is one document of the output: the template (or crds/ file) that
// wrote it, chart-qualified as in helm's "# Source:" line, and its YAML.
type Doc struct {
	Source  string `json:"source"`
	Content string `json:"content"`
}

// Output is one chart rendered.
type Output struct {
	Manifest string `json:"manifest"` // what `helm template` prints
	Docs     []Doc  `json:"docs"`
	// SchemaSkipped are the references out of values.schema.json not
	// followed (URLs, files): the values were not checked against those
	// parts, which helm would fetch.
	SchemaSkipped []string `json:"schemaSkipped,omitempty"`
}

// Render renders ch as `helm template` does, in this process: the
// caller bounds it (RenderIsolated does).
func Render(ctx context.Context, ch *chart.Chart, opt Options) (*Output, error) {
	if ch.Metadata == nil {
		return nil, errors.New("Chart.yaml file is missing")
	}
	if t := ch.Metadata.Type; t != "" && t != "application" {
		return nil, fmt.Errorf("%s charts are not installable", t)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, fmt.Errorf("an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: %w", err)
	}
	if opt.ReleaseName == "" {
		opt.ReleaseName = "release-name"
	}
	if opt.Namespace == "" {
		opt.Namespace = "default"
	}
	// A values file named inside the chart (ArgoCD's valueFiles of a
	// chart from a repository, Flux's valuesFiles) is read from it.
	opt.Values.Files = slices.Clone(opt.Values.Files)
	for i, f := range opt.Values.Files {
		name, ok := strings.CutPrefix(f.Name, InChart)
		if !ok || f.Data != nil {
			continue
		}
		j := slices.IndexFunc(ch.Raw, func(r *common.File) bool { return r.Name == name })
		if j < 0 {
			return nil, fmt.Errorf("values file %s is not in chart %s", name, ch.Name())
		}
		opt.Values.Files[i] = File{Name: name, Data: ch.Raw[j].Data}
	}
	vals, err := opt.Values.Merge()
	if err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fmt.Errorf("chart dependencies processing failed: %w", err)
	}
	caps := common.DefaultCapabilities.Copy()
	if opt.KubeVersion == "" {
		opt.KubeVersion = DefaultKubeVersion
	}
	{
		kv, err := common.ParseKubeVersion(opt.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version '%s': %w", opt.KubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(slices.Clone(caps.APIVersions), opt.APIVersions...)
	top, err := util.ToRenderValuesWithSchemaValidation(ch, vals, common.ReleaseOptions{
		Name: opt.ReleaseName, Namespace: opt.Namespace, Revision: 1, IsInstall: true}, caps, true)
	if err != nil {
		return nil, err
	}
	out := &Output{}
	if err := validateSchemas(ch, top["Values"].(common.Values), &out.SchemaSkipped); err != nil {
		return nil, fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%w", err)
	}
	if kv := ch.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", kv, caps.KubeVersion.Version)
	}
	// The zero Engine: no cluster (lookup returns nothing, as in helm
	// template), no DNS.
	var e engine.Engine
	files, err := e.RenderWithContext(ctx, ch, top)
	if err != nil {
		return nil, err
	}
	for k := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			delete(files, k)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if opt.IncludeCRDs {
		for _, crd := range ch.CRDObjects() {
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", crd.Filename, crd.File.Data)
			out.Docs = append(out.Docs, Doc{Source: crd.Filename, Content: string(crd.File.Data)})
		}
	}
	for _, m := range manifests {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Name, m.Content)
		out.Docs = append(out.Docs, Doc{Source: m.Name, Content: m.Content})
	}
	// helm template prints the manifest trimmed, then the hooks.
	var full bytes.Buffer
	full.WriteString(strings.TrimSpace(b.String()))
	full.WriteByte('\n')
	if !opt.NoHooks {
		for _, h := range hooks {
			if opt.SkipTests && slices.Contains(h.Events, release.HookTest) {
				continue
			}
			fmt.Fprintf(&full, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
			out.Docs = append(out.Docs, Doc{Source: h.Path, Content: h.Manifest})
		}
	}
	out.Manifest = full.String()
	return out, nil
}

// checkDependencies is action.CheckDependencies (whose package brings
// Helm's Kubernetes client): every dependency Chart.yaml names is loaded.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
	for _, r := range ch.Metadata.Dependencies {
		if !slices.ContainsFunc(ch.Dependencies(), func(d *chart.Chart) bool { return d.Name() == r.Name }) {
			missing = append(missing, r.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}
	return nil
}
