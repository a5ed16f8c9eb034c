package helm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plumbline/plumbline/pkg/proc"
)

// chartOf is a chart of one template (and values, a schema).
func chartOf(tpl string, extra ...File) []File {
	return append([]File{
		{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: bomb\nversion: 0.1.0\n")},
		{Name: "templates/t.yaml", Data: []byte(tpl)},
	}, extra...)
}

// TestHostileCharts: every budget of a chart's rendering, each with the
// chart that runs into it, rendered in a child as policy-check renders.
func TestHostileCharts(t *testing.T) {
	old := Budget
	Budget = proc.Limits{Memory: 768 << 20, Timeout: 5 * time.Second, Output: 8 << 20}
	t.Cleanup(func() { Budget = old })
	tests := []struct {
		name  string
		files []File
		want  string // in the error; "" renders
		out   string // in the manifest
	}{
		{name: "a range over 200 million numbers", files: chartOf(`{{ range until 200000000 }}{{ end }}`),
			want: "stopped: it needed more memory than its budget of 768 MiB"},
		{name: "ten billion loop turns", files: chartOf(`{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}`),
			want: "stopped: it needed more time than its budget of 5s"},
		{name: "20 MB of output", files: chartOf(`a: {{ range until 100000 }}{{ "x" | repeat 200 }}{{ end }}`),
			want: "rendered more than 8 MiB"},
		{name: "a template including itself", files: chartOf(`{{ define "a" }}{{ include "a" . }}{{ end }}{{ include "a" . }}`),
			want: "rendering template has a nested reference name: a"},
		{name: "tpl of itself", files: chartOf(`{{ tpl .Values.x . }}`, File{Name: "values.yaml", Data: []byte("x: '{{ tpl .Values.x . }}'\n")}),
			want: "stopped"},
		{name: ".Files reaching out of the chart", files: chartOf("a: {{ .Files.Get \"../../../../etc/passwd\" | quote }}\nb: {{ .Files.Get \"/etc/passwd\" | quote }}\n"),
			out: "a: \"\"\nb: \"\"\n"},
		{name: "lookup finds nothing", files: chartOf(`a: {{ lookup "v1" "Secret" "kube-system" "" | toJson }}`), out: "a: {}\n"},
		{name: "no DNS", files: chartOf(`a: {{ getHostByName "localhost" | quote }}`), out: `a: ""`},
		{name: "no environment", files: chartOf(`a: {{ env "HOME" }}`), want: `function "env" not defined`},
		{name: "a schema reading /etc/passwd", files: chartOf("a: 1\n",
			File{Name: "values.schema.json", Data: []byte(`{"$ref": "file:///etc/passwd"}`)}), out: "a: 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			out, err := RenderIsolated(context.Background(), tc.files, nil, Options{})
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if tc.want != "" {
				var he *Error
				if !errors.As(err, &he) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v (%T), want an *Error with %q", err, err, tc.want)
				}
				if len(err.Error()) > 2000 {
					t.Errorf("message of %d bytes", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.Manifest, tc.out) {
				t.Errorf("manifest %q, want %q in it", out.Manifest, tc.out)
			}
		})
	}
}

// TestSchemaReferencesNotFollowed: the references Helm would fetch or
// read are named, and the schema they belong to is not checked.
func TestSchemaReferencesNotFollowed(t *testing.T) {
	ch, err := Load(chartOf("a: 1\n", File{Name: "values.schema.json",
		Data: []byte(`{"properties": {"x": {"$ref": "https://example.com/s.json#/defs/x"}, "y": {"$ref": "file:///etc/shadow"}}}`)}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(context.Background(), ch, Options{Values: Values{Set: []string{"x=1"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The compiler stops at the first reference it cannot load.
	if got := strings.Join(out.SchemaSkipped, " "); got != "file:///etc/shadow" && got != "https://example.com/s.json" {
		t.Errorf("skipped %q", got)
	}
}
