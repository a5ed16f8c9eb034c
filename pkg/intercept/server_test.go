package intercept

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbline/plumbline/pkg/forge"
)

func post(t *testing.T, client *http.Client, url string, req any) (*http.Response, *Response) {
	t.Helper()
	b, _ := json.Marshal(req)
	resp, err := client.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out Response
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("response %s: %v", data, err)
		}
	}
	return resp, &out
}

func TestHandler(t *testing.T) {
	var logged []string
	srv := httptest.NewServer(Handler(&Forge{Secrets: mounted(t, map[string]string{"secret": secret})}, func(f string, a ...any) {
		logged = append(logged, fmt.Sprintf(f, a...))
	}))
	defer srv.Close()
	params := map[string]any{"eventTypes": []any{"push"}}
	// A refusal is a 200 with continue false: Triggers reads any other
	// status as the interceptor being broken.
	resp, out := post(t, srv.Client(), srv.URL+"/gitea", request(pushBody, map[string][]string{"X-Gitea-Event": {"push"}}, params))
	if resp.StatusCode != http.StatusOK || out.Continue || !strings.Contains(out.Status.Message, "no X-Forgejo-Signature") {
		t.Errorf("unsigned: %s %+v", resp.Status, out)
	}
	if len(logged) != 1 || logged[0] != `refused event "1" for "namespaces/plumbline/triggers/gitea-push": no X-Forgejo-Signature or X-Gitea-Signature header set` {
		t.Errorf("logged %q", logged)
	}
	resp, out = post(t, srv.Client(), srv.URL, request(pushBody, signed("push", pushBody), params))
	if resp.StatusCode != http.StatusOK || !out.Continue {
		t.Errorf("signed: %s %+v", resp.Status, out)
	}
	for _, bad := range []string{`not json`, `[1,2]`} {
		r, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: %s, want 400", bad, r.Status)
		}
	}
	big := bytes.Repeat([]byte("x"), MaxRequest+10)
	r, err := srv.Client().Post(srv.URL, "application/json", io.MultiReader(strings.NewReader(`{"body":"`), bytes.NewReader(big), strings.NewReader(`"}`)))
	if err == nil {
		r.Body.Close()
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a request over %d bytes: %s", MaxRequest, r.Status)
		}
	}
	if r, err := srv.Client().Get(srv.URL + "/ready"); err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("/ready: %v %v", r, err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, as the
// ClusterInterceptor's caBundle would hold it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "plumbline-forge"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// The command serves over TLS with the certificate it is given, stops on
// its context, and refuses bad flags with exit 2.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	secrets := mounted(t, map[string]string{"secret": secret})
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	code := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		code <- Run(ctx, []string{"--listen=127.0.0.1:0", "--secrets-dir=" + string(secrets), "--tls-cert=" + certFile, "--tls-key=" + keyFile},
			&stderr, func(a string) { addr <- a })
	}()
	var url string
	select {
	case a := <-addr:
		url = "https://" + a
	case c := <-code:
		t.Fatalf("exit %d: %s", c, stderr.String())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, out := post(t, client, url, request(pushBody, signed("push", pushBody), map[string]any{"eventTypes": []any{"push"}}))
	if resp.StatusCode != http.StatusOK || !out.Continue {
		t.Errorf("over TLS: %s %+v", resp.Status, out)
	}
	if r, err := http.Get("http://" + strings.TrimPrefix(url, "https://") + "/ready"); err == nil && r.StatusCode == http.StatusOK {
		t.Error("plain HTTP was served on the TLS port")
	}
	cancel()
	if c := <-code; c != 0 {
		t.Errorf("stopped: exit %d: %s", c, stderr.String())
	}

	for _, args := range [][]string{{"--tls-cert=" + certFile}, {"extra"}, {"--nope"}, {"--tls-cert=" + keyFile, "--tls-key=" + keyFile}, {"--listen=256.0.0.1:1"}} {
		stderr.Reset()
		if c := Run(context.Background(), args, &stderr, nil); c != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, c, stderr.String())
		}
	}
}

// Whatever headers and body a request brings, the interceptor answers
// without panicking, and lets it through only when it is signed.
func FuzzForge(f *testing.F) {
	f.Add(pushBody, "push", forge.Sign([]byte(secret), []byte(pushBody)), "", true)
	f.Add(`{"commits":[{"added":null}]}`, "push", "00", "push", false)
	f.Add(`{}`, "", "", "pull_request", true)
	secrets := mounted(f, map[string]string{"secret": secret})
	fg := &Forge{Secrets: secrets}
	f.Fuzz(func(t *testing.T, body, event, sig, forgejoEvent string, changed bool) {
		h := map[string][]string{"X-Gitea-Event": {event}, "X-Gitea-Signature": {sig}}
		if forgejoEvent != "" {
			h["X-Forgejo-Event"] = []string{forgejoEvent}
		}
		params := map[string]any{"eventTypes": []any{"push", "pull_request"}, "addChangedFiles": map[string]any{"enabled": changed}}
		resp := fg.Process(context.Background(), request(body, h, params))
		if resp.Continue && forge.Verify([]byte(secret), []byte(body), http.Header{"X-Gitea-Signature": {sig}}) != nil {
			t.Fatalf("let through a delivery whose signature does not match: %+v", resp)
		}
		if !resp.Continue && resp.Status.Message == "" {
			t.Fatal("refused without a reason")
		}
	})
}
