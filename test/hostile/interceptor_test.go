package hostile

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInterceptorFlood is issue 30 §5: forge-interceptor answers the
// internet, and fifty 30 MiB requests at once (half signed pushes that ask
// for the changed files, half unsigned) must leave it alive, answering,
// and under its Deployment's 256 Mi. It runs as the Deployment runs it,
// with the soft memory limit LimitMemory would set from that limit.
func TestInterceptorFlood(t *testing.T) {
	dir := t.TempDir()
	secret := "flood-test-secret"
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "forge-interceptor"), "--listen", "127.0.0.1:0", "--secrets-dir", dir)
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOMEMLIMIT=%d", 256*mi/4*3))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := regexp.MustCompile(`serving on (\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a
	case <-time.After(10 * time.Second):
		t.Fatal("the interceptor did not start")
	}

	// A push payload of 29 MiB: one changed file with a very long name.
	payload := `{"commits":[{"added":["` + strings.Repeat("a", 29<<20) + `"]}],"total_commits":1}`
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(payload))
	request := func(signature string) []byte {
		b, err := json.Marshal(map[string]any{
			"body":               payload,
			"header":             map[string][]string{"X-Gitea-Event": {"push"}, "X-Gitea-Signature": {signature}},
			"interceptor_params": map[string]any{"eventTypes": []string{"push"}, "addChangedFiles": map[string]any{"enabled": true}},
			"context":            map[string]any{"event_id": "flood"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	signed, unsigned := request(hex.EncodeToString(mac.Sum(nil))), request(strings.Repeat("0", 64))
	if len(signed) > 30<<20 {
		t.Fatalf("a request of %d bytes is over 30 MiB", len(signed))
	}

	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := unsigned
			if i%2 == 0 {
				body = signed
			}
			resp, err := http.Post(url+"/", "application/json", bytes.NewReader(body))
			code := -1
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("50 requests of %d MiB in %s: status codes %v", len(signed)>>20, time.Since(start).Round(time.Millisecond), codes)
	// A request refused as busy is answered before its body is read; the
	// client may then see its write cut (-1 here). That is the refusal,
	// not a failure: whether the interceptor lives is asked below.
	if codes[http.StatusOK] == 0 {
		t.Error("no request was decided: the interceptor refused all of them as busy")
	}
	for code := range codes {
		if code != http.StatusOK && code != http.StatusServiceUnavailable && code != -1 {
			t.Errorf("status %d", code)
		}
	}
	resp, err := http.Get(url + "/ready")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("not ready after the flood: %v", err)
	}
	resp.Body.Close()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmHWM in %s", status)
	}
	kb, _ := strconv.Atoi(string(m[1]))
	t.Logf("peak RSS %d MiB (Deployment limit 256 MiB)", kb>>10)
	if int64(kb)<<10 >= 256*mi {
		t.Errorf("peak RSS %d MiB: over the Deployment's 256 Mi", kb>>10)
	}
}
