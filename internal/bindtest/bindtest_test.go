package bindtest

import (
	"testing"

	"github.com/miekg/dns"
)

const zone = "$TTL 300\n@ IN SOA ns1 admin 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 10.0.0.1\n"

// TestServe: a server replaced by Serve answers at the same address with
// the new records.
func TestServe(t *testing.T) {
	s := Start(t, Zone{Name: "home.arpa", Text: zone})
	addr := s.Addr
	s.Serve(t, Zone{Name: "home.arpa", Text: zone + "nas IN A 10.0.0.5\n"})
	if s.Addr != addr {
		t.Fatalf("moved from %s to %s", addr, s.Addr)
	}
	m := new(dns.Msg)
	m.SetQuestion("nas.home.arpa.", dns.TypeA)
	in, _, err := (&dns.Client{}).Exchange(m, s.Addr)
	if err != nil || len(in.Answer) != 1 {
		t.Fatalf("%v %v", in, err)
	}
}
