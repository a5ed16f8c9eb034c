package schedule

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbline/plumbline/internal/clitest"
	"github.com/plumbline/plumbline/internal/testfs"
)

const template = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  generateName: drift-
spec:
  taskRef: {name: plumbline-validate}
  params:
    - {name: repo-url, value: "https://git.home.arpa/me/homelab.git"}
`

// TestStart posts the template to the API as Kubernetes takes it, and
// reports the run the API server named. The API server here answers as
// the real one does (its 201 with the created object, its 403 Status);
// e2e starts a real run on a real one.
func TestStart(t *testing.T) {
	var got map[string]any
	var path, auth string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, auth = r.URL.Path, r.Header.Get("Authorization")
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &got)
		if strings.Contains(string(body), "forbidden-run") {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"taskruns.tekton.dev is forbidden: User \"system:serviceaccount:plumbline:default\" cannot create resource \"taskruns\" in API group \"tekton.dev\" in the namespace \"plumbline\"","reason":"Forbidden","code":403}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"apiVersion":"tekton.dev/v1","kind":"TaskRun","metadata":{"name":"drift-x7k2p","generateName":"drift-","namespace":"plumbline"}}`)
	}))
	defer srv.Close()
	api := &InCluster{Host: srv.URL, Token: "tok", Client: srv.Client()}
	dir := t.TempDir()
	testfs.Write(t, dir, "run.yaml", template)
	r, progress, err := clitest.RunCheck(t, &Check{API: api}, dir, "--template", "run.yaml", "--namespace", "plumbline")
	if err != nil {
		t.Fatal(err)
	}
	if path != "/apis/tekton.dev/v1/namespaces/plumbline/taskruns" || auth != "Bearer tok" {
		t.Errorf("posted to %s with %q", path, auth)
	}
	meta := got["metadata"].(map[string]any)
	if d := cmp.Diff(map[string]any{"generateName": "drift-", "namespace": "plumbline", "labels": map[string]any{"plumbline.dev/scheduled": "true"}}, meta); d != "" {
		t.Errorf("metadata (-want +got):\n%s", d)
	}
	if r.Details["started"] != "taskruns/plumbline/drift-x7k2p" || !strings.Contains(progress, "started taskruns/plumbline/drift-x7k2p") {
		t.Errorf("details %v, progress %q", r.Details, progress)
	}
	testfs.Write(t, dir, "run.yaml", strings.Replace(template, "drift-", "forbidden-run-", 1))
	if _, _, err := clitest.RunCheck(t, &Check{API: api}, dir, "--template", "run.yaml", "--namespace", "plumbline"); err == nil || !strings.Contains(err.Error(), "403 Forbidden: taskruns.tekton.dev is forbidden") {
		t.Errorf("forbidden: %v", err)
	}
}

func TestTemplateRefused(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", "empty"},
		{"kind: Pod\napiVersion: v1\nmetadata: {name: x}\n", "want a TaskRun or a PipelineRun"},
		{"kind: TaskRun\napiVersion: tekton.dev/v1beta1\nmetadata: {name: x}\n", "want tekton.dev/v1"},
		{"kind: TaskRun\napiVersion: tekton.dev/v1\nmetadata: {}\n", "generateName"},
		{"kind: [", "yaml"},
	} {
		if _, _, err := parse([]byte(tc.text)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
	_, _, err := clitest.RunCheck(t, &Check{API: nil}, t.TempDir(), "--template", "")
	if err == nil {
		t.Error("no template accepted")
	}
}

// FuzzTemplate: any template is a run to start or a clear refusal.
func FuzzTemplate(f *testing.F) {
	f.Add(template)
	f.Add("kind: PipelineRun\napiVersion: tekton.dev/v1\nmetadata: {generateName: a-}\n")
	f.Add("&a [*a]")
	f.Fuzz(func(t *testing.T, text string) {
		obj, resource, err := parse([]byte(text))
		if err == nil && (obj["metadata"] == nil || resource == "") {
			t.Fatalf("accepted %q without metadata or resource", text)
		}
	})
}
