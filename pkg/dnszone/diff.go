package dnszone

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Action is what the plan does to one RRset.
type Action string

const (
	Create    Action = "create"
	Delete    Action = "delete"
	Update    Action = "update"
	TTLOnly   Action = "ttl"
	Unmanaged Action = "unmanaged" // live, of a name the desired side never mentions
)

// Change is one planned change to an RRset.
type Change struct {
	Action Action   `json:"action"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	OldTTL uint32   `json:"oldTtl,omitempty"`
	NewTTL uint32   `json:"newTtl,omitempty"`
	Old    []string `json:"old,omitempty"`
	New    []string `json:"new,omitempty"`
	File   string   `json:"file,omitempty"`
	Line   int      `json:"line,omitempty"`
}

// ZonePlan is the plan for one zone.
type ZonePlan struct {
	Zone        string `json:"zone"`
	DesiredFile string `json:"desiredFile"`
	// Live is the live source the plan is against (one plan per zone and
	// server).
	Live       string   `json:"live,omitempty"`
	LiveRRsets int      `json:"liveRrsets"`
	Changes    []Change `json:"changes"`
	Creates    int      `json:"creates"`
	Deletes    int      `json:"deletes"`
	Updates    int      `json:"updates"`
	TTLChanges int      `json:"ttlChanges"`
	Unmanaged  int      `json:"unmanaged"`
	Problems   []string `json:"problems"`
	// Uncompared are RRsets one side holds as written (a type miekg/dns
	// does not parse) and the other parsed: they cannot be told equal.
	Uncompared []Key `json:"uncompared,omitempty"`
}

// Diff plans the changes that make live look like desired. Live RRsets of
// names desired never mentions are unmanaged unless prune is set, when
// they are deleted. The SOA is compared only when desired declares one.
func Diff(desired, live *Zone, prune bool) ZonePlan {
	p := ZonePlan{Zone: desired.Origin, DesiredFile: desired.File, Changes: []Change{}, Problems: []string{}}
	// Walk the maps, not the sorted keys: a plan changes a few RRsets of
	// many, and only those need sorting (into the canonical order the
	// sorted walk gave: desired's changes, then live's extra RRsets).
	// The two walks only read both maps: they run side by side.
	var mine, extra []Key
	var wg sync.WaitGroup
	wg.Go(func() {
		for k, d := range desired.Sets {
			l, ok := live.Sets[k]
			if !ok || d.Opaque != l.Opaque || d.TTL != l.TTL || !slices.Equal(d.Values, l.Values) {
				mine = append(mine, k)
			}
		}
	})
	for k := range live.Sets {
		if _, ok := desired.Sets[k]; !ok && k.Type != "SOA" {
			extra = append(extra, k)
		}
	}
	wg.Wait()
	sortCanonical(mine)
	sortCanonical(extra)
	// Which of the live-only RRsets' names the desired side manages (it
	// has some RRset there): only those names are looked for.
	names := map[string]bool{}
	if !prune && len(extra) > 0 {
		for _, k := range extra {
			names[k.Name] = false
		}
		for k := range desired.Sets {
			if _, ok := names[k.Name]; ok {
				names[k.Name] = true
			}
		}
	}
	for _, k := range mine {
		d := desired.Sets[k]
		l, ok := live.Sets[k]
		switch {
		case ok && d.Opaque != l.Opaque:
			p.Uncompared = append(p.Uncompared, k)
		case !ok:
			p.add(Change{Action: Create, Name: k.Name, Type: k.Type, NewTTL: d.TTL, New: d.Values, File: d.File, Line: desired.LineOf(d)})
		case !slices.Equal(d.Values, l.Values):
			p.add(Change{Action: Update, Name: k.Name, Type: k.Type, OldTTL: l.TTL, NewTTL: d.TTL, Old: l.Values, New: d.Values, File: d.File, Line: desired.LineOf(d)})
		case d.TTL != l.TTL:
			p.add(Change{Action: TTLOnly, Name: k.Name, Type: k.Type, OldTTL: l.TTL, NewTTL: d.TTL, Old: l.Values, New: d.Values, File: d.File, Line: desired.LineOf(d)})
		}
	}
	for _, k := range extra {
		l := live.Sets[k]
		action := Unmanaged
		if names[k.Name] || prune {
			action = Delete
		}
		p.add(Change{Action: action, Name: k.Name, Type: k.Type, OldTTL: l.TTL, Old: l.Values, File: desired.File})
	}
	p.LiveRRsets = 0
	for k := range live.Sets {
		if k.Type != "SOA" {
			p.LiveRRsets++
		}
	}
	return p
}

func (p *ZonePlan) add(c Change) {
	p.Changes = append(p.Changes, c)
	switch c.Action {
	case Create:
		p.Creates++
	case Delete:
		p.Deletes++
	case Update:
		p.Updates++
	case TTLOnly:
		p.TTLChanges++
	case Unmanaged:
		p.Unmanaged++
	}
}

// Safety are the rules that make a plan unsafe, as octoDNS has them.
type Safety struct {
	MaxDeletePercent, MaxUpdatePercent float64
	MinRRsets                          int // thresholds apply to zones with at least this many live RRsets
	AllowRootNS                        bool
	ExpectNoChanges                    bool
}

// Check records in p.Problems what makes it unsafe.
func (s Safety) Check(p *ZonePlan) {
	if p.LiveRRsets >= s.MinRRsets && p.LiveRRsets > 0 {
		if pct := 100 * float64(p.Deletes) / float64(p.LiveRRsets); pct > s.MaxDeletePercent {
			p.Problems = append(p.Problems, fmt.Sprintf("deletes %d of %d RRsets (%.1f%%), over --max-delete-percent %g", p.Deletes, p.LiveRRsets, pct, s.MaxDeletePercent))
		}
		if pct := 100 * float64(p.Updates+p.TTLChanges) / float64(p.LiveRRsets); pct > s.MaxUpdatePercent {
			p.Problems = append(p.Problems, fmt.Sprintf("updates %d of %d RRsets (%.1f%%), over --max-update-percent %g", p.Updates+p.TTLChanges, p.LiveRRsets, pct, s.MaxUpdatePercent))
		}
	}
	if !s.AllowRootNS {
		for _, c := range p.Changes {
			if c.Name == p.Zone && c.Type == "NS" && c.Action != Unmanaged && c.Action != TTLOnly {
				p.Problems = append(p.Problems, fmt.Sprintf("changes the zone's own NS records (%s); a mistake here takes the zone down (--allow-root-ns to permit)", c.Action))
			}
		}
	}
	if s.ExpectNoChanges {
		if n := p.Creates + p.Deletes + p.Updates + p.TTLChanges; n > 0 {
			p.Problems = append(p.Problems, fmt.Sprintf("%d changes, but --expect-no-changes", n))
		}
	}
}

// String renders a change as one plan line.
func (c Change) String() string {
	switch c.Action {
	case Create:
		return fmt.Sprintf("+ create %s %d %s %s", c.Name, c.NewTTL, c.Type, strings.Join(c.New, " | "))
	case Delete:
		return fmt.Sprintf("- delete %s %d %s %s", c.Name, c.OldTTL, c.Type, strings.Join(c.Old, " | "))
	case Update:
		return fmt.Sprintf("~ update %s %s %s → %s", c.Name, c.Type, strings.Join(c.Old, " | "), strings.Join(c.New, " | ")) + ttlNote(c)
	case TTLOnly:
		return fmt.Sprintf("± ttl %s %s %d → %d", c.Name, c.Type, c.OldTTL, c.NewTTL)
	}
	return fmt.Sprintf("? unmanaged %s %d %s %s", c.Name, c.OldTTL, c.Type, strings.Join(c.Old, " | "))
}

func ttlNote(c Change) string {
	if c.OldTTL != c.NewTTL {
		return fmt.Sprintf(" (ttl %d → %d)", c.OldTTL, c.NewTTL)
	}
	return ""
}
