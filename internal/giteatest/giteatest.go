// Package giteatest starts a real Gitea server on loopback for tests: the
// binary `make tools` builds from the module proxy (hack/gitea.sh), SQLite
// in a temporary directory, no network beyond 127.0.0.1. Where the binary
// is missing the test is skipped, or fails under PLUMBLINE_NEED_ALL.
package giteatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/plumbline/plumbline/internal/need"
)

// Password is every test user's password.
const Password = "plumbline-Test-0"

// Server is a running Gitea.
type Server struct {
	URL    string // http://127.0.0.1:PORT
	dir    string
	bin    string
	config string
	t      testing.TB
}

// root is the repository's root, from this file's place in it.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Start runs a Gitea on 127.0.0.1 for the test's lifetime, with an admin
// user "admin".
func Start(t testing.TB) *Server {
	t.Helper()
	return StartOn(t, "127.0.0.1")
}

// StartOn is Start listening on host (an IP address), which is also the
// host of its URLs (clone URLs in webhooks among them). Its webhooks may
// go to loopback addresses only.
func StartOn(t testing.TB, host string) *Server {
	t.Helper()
	bin := os.Getenv("PLUMBLINE_GITEA")
	if bin == "" {
		bin = filepath.Join(root(), "build", "tools", "gitea")
	}
	static := filepath.Join(filepath.Dir(bin), "gitea-static")
	if _, err := os.Stat(bin); err != nil {
		need.Missing(t, "needs a Gitea binary (make tools builds build/tools/gitea; PLUMBLINE_GITEA overrides): %v", err)
	}
	if _, err := os.Stat(filepath.Join(static, "options")); err != nil {
		need.Missing(t, "needs Gitea's options/ and templates/ next to the binary (%s; make tools links it): %v", static, err)
	}
	if os.Geteuid() == 0 {
		t.Setenv("GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT", "true")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &Server{URL: fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(port))), dir: dir, bin: bin, config: filepath.Join(dir, "app.ini"), t: t}
	ini := fmt.Sprintf(`APP_NAME = plumbline-test
RUN_MODE = prod
WORK_PATH = %[1]s
[server]
HTTP_ADDR = %[5]s
HTTP_PORT = %[2]d
ROOT_URL = %[3]s/
STATIC_ROOT_PATH = %[4]s
DISABLE_SSH = true
OFFLINE_MODE = true
LFS_START_SERVER = false
[database]
DB_TYPE = sqlite3
PATH = %[1]s/gitea.db
[security]
INSTALL_LOCK = true
[repository]
ROOT = %[1]s/repos
[log]
MODE = file
LEVEL = warn
ROOT_PATH = %[1]s/log
[service]
DISABLE_REGISTRATION = true
[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10
[cron]
ENABLED = false
[cron.update_checker]
ENABLED = false
[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false
[queue]
TYPE = channel
[mailer]
ENABLED = false
`, dir, port, s.URL, static, host)
	if err := os.WriteFile(s.config, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	s.gitea("migrate")
	s.gitea("admin", "user", "create", "--username", "admin", "--password", Password, "--email", "admin@plumbline.test",
		"--admin", "--must-change-password=false")
	cmd := exec.Command(bin, "--config", s.config, "--work-path", dir, "web")
	log, _ := os.Create(filepath.Join(dir, "web.log"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(s.URL + "/api/v1/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(dir, "web.log"))
			logs, _ := os.ReadFile(filepath.Join(dir, "log", "gitea.log"))
			t.Fatalf("gitea did not come up on %s: %v\n%s\n%s", s.URL, err, out, logs)
		}
	}
	return s
}

func (s *Server) gitea(args ...string) {
	s.t.Helper()
	cmd := exec.Command(s.bin, append([]string{"--config", s.config, "--work-path", s.dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("gitea %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// User creates a user (not an admin) with Password.
func (s *Server) User(name string) {
	s.t.Helper()
	s.gitea("admin", "user", "create", "--username", name, "--password", Password, "--email", name+"@plumbline.test",
		"--must-change-password=false")
}

// Token makes an access token of user's with scopes.
func (s *Server) Token(user string, scopes ...string) string {
	s.t.Helper()
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	s.API(user, http.MethodPost, "/users/"+user+"/tokens", map[string]any{"name": fmt.Sprintf("t%d", time.Now().UnixNano()), "scopes": scopes}, &tok)
	return tok.SHA1
}

// API calls /api/v1 as user (basic auth) and decodes the answer into out;
// any status but 2xx fails the test.
func (s *Server) API(user, method, path string, in, out any) {
	s.t.Helper()
	if code, body := s.Call(user, method, path, in); code/100 != 2 {
		s.t.Fatalf("%s %s as %s: %d %s", method, path, user, code, body)
	} else if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			s.t.Fatalf("%s %s: %v\n%s", method, path, err, body)
		}
	}
}

// Call calls /api/v1 as user and returns the status and body.
func (s *Server) Call(user, method, path string, in any) (int, []byte) {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+"/api/v1"+path, body)
	req.SetBasicAuth(user, Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// CloneURL is user's authenticated clone URL of owner/repo.
func (s *Server) CloneURL(user, repo string) string {
	return strings.Replace(s.URL, "http://", "http://"+user+":"+url.QueryEscape(Password)+"@", 1) + "/" + repo + ".git"
}

// Repo creates the user owner (unless it exists) and owner/name with one
// commit on main, and returns that commit.
func (s *Server) Repo(owner, name string) string {
	s.t.Helper()
	if code, _ := s.Call("admin", http.MethodGet, "/users/"+owner, nil); code == http.StatusNotFound {
		s.User(owner)
	}
	s.API("admin", http.MethodPost, "/admin/users/"+owner+"/repos", map[string]any{"name": name, "auto_init": true, "default_branch": "main"}, nil)
	var branch struct {
		Commit struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	s.API("admin", http.MethodGet, "/repos/"+owner+"/"+name+"/branches/main", nil, &branch)
	return branch.Commit.ID
}

// Status is the combined commit status of sha in owner/name: the state
// and the latest status of each context.
func (s *Server) Status(repo, sha string) (state string, statuses []map[string]any) {
	s.t.Helper()
	var combined struct {
		State    string           `json:"state"`
		Statuses []map[string]any `json:"statuses"`
	}
	s.API("admin", http.MethodGet, "/repos/"+repo+"/commits/"+sha+"/status", nil, &combined)
	return combined.State, combined.Statuses
}
