package corpus

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbline/plumbline/pkg/dnszone"
)

// edit is one change made to BIND's canonical output of a zone, and the
// change dns-zone-diff must plan for it.
type edit struct {
	action dnszone.Action
	name   string // canonical, fully qualified
	typ    string
}

func (e edit) String() string { return fmt.Sprintf("%s %s %s", e.action, e.name, e.typ) }

// mutate writes canonical text (named-compilezone -s full: one record a
// line, owner written out) with four edits, each to an RRset of its own
// owner that is the zone's own data (not the apex, not glue or beneath a
// DNAME): one A record's address changed, another RRset's TTL changed, a
// third RRset deleted, a TXT record of a new name added. It returns the
// text and the edits made (fewer where the zone has no such RRset).
func mutate(canon, origin string) (string, []edit) {
	type rec struct {
		line       string
		owner, typ string
		f          []string
	}
	var recs []rec
	cuts := map[string]bool{} // delegations and DNAMEs below the apex
	for _, l := range strings.Split(canon, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || strings.HasPrefix(l, ";") || strings.HasPrefix(l, "$") {
			continue // an empty rdata (APL) has four fields
		}
		r := rec{line: l, owner: strings.ToLower(f[0]), typ: strings.ToUpper(f[3]), f: f}
		if (r.typ == "NS" || r.typ == "DNAME") && r.owner != origin {
			cuts[r.owner] = true
		}
		recs = append(recs, r)
	}
	beneath := func(owner string) bool {
		for n := owner; n != origin && strings.Contains(n, "."); {
			if cuts[n] {
				return true
			}
			_, n, _ = strings.Cut(n, ".")
		}
		return false
	}
	used := map[string]bool{}
	pick := func(types ...string) (string, string) {
		for _, r := range recs {
			if r.owner != origin && !used[r.owner] && !beneath(r.owner) && slices.Contains(types, r.typ) {
				used[r.owner] = true
				return r.owner, r.typ
			}
		}
		return "", ""
	}
	var edits []edit
	valueOwner, _ := pick("A")
	ttlOwner, ttlType := pick("A", "AAAA", "TXT", "MX", "SRV", "PTR", "CNAME")
	delOwner, delType := pick("A", "AAAA", "TXT")
	taken := map[string]bool{}
	for _, r := range recs {
		if r.typ == "A" && len(r.f) > 4 {
			taken[r.f[4]] = true
		}
	}
	newAddr := "198.51.100.77"
	for i := 78; taken[newAddr]; i++ {
		newAddr = "198.51.100." + strconv.Itoa(i)
	}
	var b strings.Builder
	changed := false
	for _, r := range recs {
		line := r.line // as BIND wrote it: quoted strings keep their spaces
		switch {
		case r.owner == valueOwner && r.typ == "A" && !changed && len(r.f) == 5:
			line, changed = strings.Join(append(r.f[:4], newAddr), " "), true
		case r.owner == ttlOwner && r.typ == ttlType:
			ttl, _ := strconv.Atoi(r.f[1])
			_, rest, _ := strings.Cut(line, r.f[0])
			_, rest, _ = strings.Cut(rest, r.f[1])
			line = r.f[0] + " " + strconv.Itoa(ttl+1000) + rest
		case r.owner == delOwner && r.typ == delType:
			continue
		}
		b.WriteString(line + "\n")
	}
	if valueOwner != "" {
		edits = append(edits, edit{dnszone.Update, valueOwner, "A"})
	}
	if ttlOwner != "" {
		edits = append(edits, edit{dnszone.TTLOnly, ttlOwner, ttlType})
	}
	if delOwner != "" {
		edits = append(edits, edit{dnszone.Delete, delOwner, delType})
	}
	added := "plumbline-added." + origin
	if origin == "." {
		added = "plumbline-added."
	}
	if len(added) > 254 { // a name is at most 255 bytes on the wire
		added = "p." + origin
	}
	if len(added) <= 254 {
		fmt.Fprintf(&b, "%s 300 IN TXT \"added\"\n", added)
		edits = append(edits, edit{dnszone.Create, added, "TXT"})
	}
	slices.SortFunc(edits, func(a, b edit) int { return strings.Compare(a.String(), b.String()) })
	return b.String(), edits
}

// planned is the plan's changes as edits, in order.
func planned(plan dnszone.ZonePlan) []edit {
	var out []edit
	for _, c := range plan.Changes {
		out = append(out, edit{c.Action, c.Name, c.Type})
	}
	slices.SortFunc(out, func(a, b edit) int { return strings.Compare(a.String(), b.String()) })
	return out
}

var ldnsCounts = regexp.MustCompile(`(?m)^\s*\+(\d+)\s+-(\d+)\s+~(\d+)\s*$`)

// ldnsAgrees runs ldns-compare-zones on the live and desired files and
// checks its count of names inserted, deleted and changed (it leaves TTLs
// out) against what the edits make of them; ok is false when ldns cannot
// read the zone (a type it does not know).
func ldnsAgrees(ldns, live, desired string, edits []edit, desiredZone *dnszone.Zone) (ok bool, msg string) {
	out, err := exec.Command(ldns, live, desired).CombinedOutput()
	m := ldnsCounts.FindSubmatch(out)
	if err != nil || m == nil {
		return false, ""
	}
	names := map[string]bool{}
	for k := range desiredZone.Sets {
		names[k.Name] = true
	}
	var plus, minus, tilde int
	for _, e := range edits {
		switch {
		case e.action == dnszone.TTLOnly:
		case e.action == dnszone.Create:
			plus++
		case e.action == dnszone.Delete && !names[e.name]:
			minus++
		default:
			tilde++
		}
	}
	want := fmt.Sprintf("+%d -%d ~%d", plus, minus, tilde)
	got := fmt.Sprintf("+%s -%s ~%s", m[1], m[2], m[3])
	if want != got {
		return true, fmt.Sprintf("ldns-compare-zones counts %s names, the edits make %s", got, want)
	}
	return true, ""
}
