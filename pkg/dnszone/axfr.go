package dnszone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/plumbline/plumbline/pkg/zonefile"
)

// TSIG is a transaction signature key.
type TSIG struct {
	Name, Algorithm, Secret string
}

var bindKey = regexp.MustCompile(`(?s)key\s+"?([^"\s{]+)"?\s*\{.*?algorithm\s+"?([^";\s]+)"?\s*;.*?secret\s+"([^"]+)"\s*;`)

// ParseTSIG reads a key in BIND's key-file syntax (what tsig-keygen
// writes) or as NAME:ALGORITHM:SECRET.
func ParseTSIG(text string) (*TSIG, error) {
	text = strings.TrimSpace(text)
	if m := bindKey.FindStringSubmatch(text); m != nil {
		return &TSIG{Name: dns.Fqdn(m[1]), Algorithm: dns.Fqdn(strings.ToLower(m[2])), Secret: m[3]}, nil
	}
	if parts := strings.SplitN(text, ":", 3); len(parts) == 3 && !strings.ContainsAny(text, "\n{") {
		return &TSIG{Name: dns.Fqdn(parts[0]), Algorithm: dns.Fqdn(strings.ToLower(parts[1])), Secret: parts[2]}, nil
	}
	return nil, errors.New("not a TSIG key (want BIND key syntax or NAME:ALGORITHM:SECRET)")
}

// ReadTSIG loads a key from a file or an environment variable; never from a
// flag value, which would show in process listings and Tekton's YAML.
func ReadTSIG(file, envVar string) (*TSIG, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--tsig-key-file: %w", err)
		}
		k, err := ParseTSIG(string(b))
		if err != nil {
			return nil, fmt.Errorf("--tsig-key-file %s: %w", file, err)
		}
		return k, nil
	case envVar != "":
		v := os.Getenv(envVar)
		if v == "" {
			return nil, fmt.Errorf("--tsig-env: $%s is empty", envVar)
		}
		k, err := ParseTSIG(v)
		if err != nil {
			return nil, fmt.Errorf("--tsig-env %s: %w", envVar, err)
		}
		return k, nil
	}
	return nil, nil
}

// AXFR reads a zone by zone transfer.
type AXFR struct {
	Addr, Zone string
	TSIG       *TSIG
	Timeout    time.Duration
	Options    Options
}

func newAXFR(u *url.URL, cfg Config) (*AXFR, error) {
	zone := strings.Trim(u.Path, "/")
	if zone == "" {
		return nil, fmt.Errorf("source %s: no zone (want axfr://host[:port]/zone)", u.Redacted())
	}
	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(u.Hostname(), "53")
	}
	return &AXFR{Addr: host, Zone: dns.Fqdn(zone), TSIG: cfg.TSIG, Timeout: 30 * time.Second, Options: cfg.Options}, nil
}

func (a *AXFR) Zones(ctx context.Context) (map[string]*Zone, error) {
	m := new(dns.Msg)
	m.SetAxfr(a.Zone)
	t := &dns.Transfer{DialTimeout: a.Timeout, ReadTimeout: a.Timeout, WriteTimeout: a.Timeout}
	if a.TSIG != nil {
		t.TsigSecret = map[string]string{a.TSIG.Name: a.TSIG.Secret}
		m.SetTsig(a.TSIG.Name, a.TSIG.Algorithm, 300, time.Now().Unix())
	}
	ch, err := t.In(m, a.Addr)
	if err != nil {
		return nil, a.fail(err)
	}
	z := newZone(a.Zone, "axfr://"+a.Addr+"/"+strings.TrimSuffix(a.Zone, "."))
	n := 0
	for env := range ch {
		if env.Error != nil {
			return nil, a.fail(env.Error)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if n += len(env.RR); n > zonefile.MaxRecords {
			return nil, fmt.Errorf("axfr %s from %s: more than %d records: over the budget of one zone", a.Zone, a.Addr, zonefile.MaxRecords)
		}
		for _, rr := range env.RR {
			z.add(rr, a.Options, "", 0)
		}
	}
	if z.Records() == 0 {
		return nil, fmt.Errorf("axfr %s from %s: no records", a.Zone, a.Addr)
	}
	return map[string]*Zone{z.Origin: z}, nil
}

// fail says what went wrong in words a person can act on.
func (a *AXFR) fail(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "bad xfr rcode: 5"):
		msg = "transfer refused by the server (check allow-transfer and the TSIG key)"
	case strings.Contains(msg, "bad xfr rcode: 9"):
		msg = "the server is not authoritative for the zone, or rejected the TSIG key (NOTAUTH)"
	case strings.Contains(msg, "signature") || strings.Contains(msg, "tsig"):
		msg = "TSIG verification failed: " + msg
	case strings.Contains(msg, "connection refused"):
		msg = "connection refused: " + msg
	case strings.Contains(msg, "timeout"):
		msg = "timed out: " + msg
	}
	return fmt.Errorf("axfr %s from %s: %s", strings.TrimSuffix(a.Zone, "."), a.Addr, msg)
}
