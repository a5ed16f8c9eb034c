// Package bindtest starts a real BIND (named) on 127.0.0.1 (or another local
// address) for tests, with
// generated zones and transfer rules, and stops it when the test ends.
package bindtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/plumbline/plumbline/internal/need"
)

// Zone is one zone the server serves.
type Zone struct {
	Name string // e.g. "home.arpa"
	Text string // zone file text
	// Transfer is the allow-transfer rule: "any" (127.0.0.1), "tsig" (the
	// server's key only) or "none".
	Transfer string
}

// Server is a running named.
type Server struct {
	Addr string // IP:PORT
	ip   string
	port int
	stop func()
	// Key is the TSIG key zones with Transfer "tsig" accept, in BIND syntax.
	Key                   string
	KeyName, KeyAlgorithm string
	KeySecret             string
}

// Secret is the base64 TSIG secret the test server uses.
const Secret = "cGx1bWJsaW5lLXRlc3Qta2V5LWZvci1heGZyLTEyMzQ="

// Start runs named with zones until t ends. It fails the test if named is
// not installed: tests against a real server never skip silently.
func Start(t testing.TB, zones ...Zone) *Server {
	t.Helper()
	return StartOn(t, "127.0.0.1", zones...)
}

// StartOn is Start listening on ip, a local address (e2e pods reach the
// host on its bridge address); Transfer "any" then allows ip.
func StartOn(t testing.TB, ip string, zones ...Zone) *Server {
	t.Helper()
	bin, err := exec.LookPath("named")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/named") // root's PATH may lack sbin
	}
	if err != nil {
		need.Missing(t, "needs named (Debian package bind9): %v", err)
	}
	return startAt(t, bin, ip, freePort(t, ip), zones...)
}

// Serve stops s and serves zones in its place, at the same address: a
// server whose records someone changed by hand.
func (s *Server) Serve(t testing.TB, zones ...Zone) {
	t.Helper()
	s.stop()
	bin, err := exec.LookPath("named")
	if err != nil {
		bin = "/usr/sbin/named"
	}
	*s = *startAt(t, bin, s.ip, s.port, zones...)
}

func startAt(t testing.TB, bin, ip string, port int, zones ...Zone) *Server {
	t.Helper()
	dir := t.TempDir()
	s := &Server{Addr: net.JoinHostPort(ip, fmt.Sprint(port)), ip: ip, port: port, KeyName: "xfr-key.", KeyAlgorithm: "hmac-sha256.", KeySecret: Secret}
	s.Key = fmt.Sprintf("key \"xfr-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"%s\";\n};\n", Secret)
	var conf strings.Builder
	fmt.Fprintf(&conf, "options {\n directory %q;\n listen-on port %d { %s; };\n listen-on-v6 { none; };\n pid-file %q;\n recursion no;\n dnssec-validation no;\n allow-transfer { none; };\n notify no;\n};\n",
		dir, port, ip, filepath.Join(dir, "named.pid"))
	conf.WriteString(s.Key)
	for _, z := range zones {
		file := filepath.Join(dir, z.Name+".zone")
		if err := os.WriteFile(file, []byte(z.Text), 0o644); err != nil {
			t.Fatal(err)
		}
		rule := map[string]string{"any": ip + ";", "tsig": "key xfr-key;", "none": "none;"}[z.Transfer]
		if rule == "" {
			rule = ip + ";"
		}
		fmt.Fprintf(&conf, "zone %q {\n type primary;\n file %q;\n allow-transfer { %s };\n};\n", z.Name, file, rule)
	}
	confFile := filepath.Join(dir, "named.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-g", "-c", confFile, "-n", "1")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cmd.Process.Kill()
			<-done
		})
	}
	t.Cleanup(s.stop)
	// Ready when it answers the first zone's SOA.
	deadline := time.Now().Add(15 * time.Second)
	for {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(zones[0].Name), dns.TypeSOA)
		c := &dns.Client{Timeout: 300 * time.Millisecond}
		if in, _, err := c.Exchange(m, s.Addr); err == nil && in.Rcode == dns.RcodeSuccess {
			return s
		}
		select {
		case <-done:
			t.Fatalf("named exited:\n%s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("named did not answer within 15s:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t testing.TB, ip string) int {
	t.Helper()
	l, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.LocalAddr().(*net.UDPAddr).Port
	tl, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
	if err != nil {
		return freePort(t, ip)
	}
	tl.Close()
	return port
}
