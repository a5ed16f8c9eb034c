package images

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"github.com/plumbline/plumbline/pkg/forge"
	"github.com/plumbline/plumbline/pkg/intercept"
)

// servers are the images that serve rather than check: each runs here
// with the args of its shipped Deployment.
var servers = map[string]string{"forge-interceptor": "triggers/forge-interceptor/deployment.yaml"}

// deploymentArgs are the container args of the Deployment in file.
func deploymentArgs(t *testing.T, root, file string) []string {
	t.Helper()
	for _, doc := range strings.Split(string(must(os.ReadFile(filepath.Join(root, file)))), "\n---\n") {
		var d appsv1.Deployment
		if err := yaml.Unmarshal([]byte(doc), &d); err == nil && d.Kind == "Deployment" {
			return d.Spec.Template.Spec.Containers[0].Args
		}
	}
	t.Fatalf("%s: no Deployment", file)
	return nil
}

// runServer runs the forge interceptor from img's filesystem (under qemu
// for arm64) with its Deployment's args, the Secrets it mounts made in a
// temporary /etc/plumbline, and checks that it lets a signed Gitea
// delivery through over TLS and refuses an unsigned one.
func runServer(t *testing.T, root string, img v1.Image, prefix ...string) {
	fs := filepath.Join(t.TempDir(), "fs")
	extract(t, img, fs)
	etc := filepath.Join(t.TempDir(), "etc")
	os.MkdirAll(filepath.Join(etc, "webhook"), 0o755)
	os.MkdirAll(filepath.Join(etc, "tls"), 0o755)
	os.WriteFile(filepath.Join(etc, "webhook", "secret"), []byte("s3cret"), 0o600)
	pool := certificate(t, filepath.Join(etc, "tls"))
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	var args []string
	for _, a := range deploymentArgs(t, root, servers["forge-interceptor"]) {
		a = strings.ReplaceAll(a, "/etc/plumbline", etc)
		if strings.HasPrefix(a, "--listen=") {
			a = "--listen=" + addr
		}
		args = append(args, a)
	}
	cf := must(img.ConfigFile())
	argv := append(append(prefix, filepath.Join(fs, cf.Config.Entrypoint[0])), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r, err := client.Get("https://" + addr + "/ready"); err == nil {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v did not serve on %s:\n%s", argv, addr, out.String())
		}
	}
	body := `{"ref":"refs/heads/main","commits":[{"added":["terraform/main.tf"]}]}`
	for _, tc := range []struct {
		sig  string
		want bool
	}{{forge.Sign([]byte("s3cret"), []byte(body)), true}, {"", false}} {
		h := map[string][]string{"X-Gitea-Event": {"push"}}
		if tc.sig != "" {
			h["X-Gitea-Signature"] = []string{tc.sig}
		}
		req, _ := json.Marshal(intercept.Request{Body: body, Header: h, Context: &intercept.TriggerContext{EventID: "1"},
			InterceptorParams: map[string]any{"eventTypes": []string{"push"}, "addChangedFiles": map[string]any{"enabled": true}}})
		resp, err := client.Post("https://"+addr, "application/json", bytes.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		var got intercept.Response
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if got.Continue != tc.want || (tc.want && got.Extensions["changed_files"] != "terraform/main.tf") {
			t.Errorf("signature %q: %+v, want continue %v", tc.sig, got, tc.want)
		}
	}
}

// certificate writes tls.crt and tls.key for 127.0.0.1 into dir, as the
// Secret hack/forge-interceptor-tls.sh makes holds them, and returns a
// pool that trusts it.
func certificate(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	cmd := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-keyout", filepath.Join(dir, "tls.key"), "-out", filepath.Join(dir, "tls.crt"), "-days", "1",
		"-subj", "/CN=plumbline-forge-interceptor", "-addext", "subjectAltName=IP:127.0.0.1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(must(os.ReadFile(filepath.Join(dir, "tls.crt")))) {
		t.Fatal(fmt.Errorf("no certificate in %s", dir))
	}
	return pool
}
