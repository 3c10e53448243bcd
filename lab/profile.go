package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
)

// Profile is the geography of an experiment.
type Profile struct {
	Name        string
	Description string
	ViewerPOP   string    // the POP the viewers reach, e.g. HKG62-C1
	OtherPOPs   []string  // more POPs, for lab serve and prewarm lists
	ViewerLink  link.Link // viewer ↔ POP
	OriginLink  link.Link // POP ↔ origin
	// Published medians of the seed's experiment, by scenario name.
	Reference map[string]time.Duration
	Source    string
}

// Profiles are the built-in geographies.
//
// hkg-fra reproduces the seed document's measurement (viewers in Hong Kong,
// origin in Frankfurt): curl saw the viewer TLS handshake finished at about
// 0.04 s, a median Total of 0.620 s without prewarm and 0.238 s with it. With
// TLS 1.3 a cold request costs 3 viewer RTTs + 3 origin RTTs (origin TCP,
// TLS, request) and a warm one 3 viewer RTTs + 1 origin RTT, so
// 3v + o = 0.238 and 3v + 3o = 0.620 give o ≈ 191 ms and v ≈ 16 ms.
var Profiles = map[string]Profile{
	"hkg-fra": {
		Name:        "hkg-fra",
		Description: "viewers in Hong Kong, origin in Frankfurt, the seed's experiment",
		ViewerPOP:   "HKG62-C1",
		OtherPOPs:   []string{"HKG54-C1", "NRT57-P2", "FRA56-P3"},
		ViewerLink:  link.Link{RTT: 16 * time.Millisecond, Jitter: 1 * time.Millisecond},
		OriginLink:  link.Link{RTT: 191 * time.Millisecond, Jitter: 2 * time.Millisecond},
		Reference: map[string]time.Duration{
			"ka5-noprewarm": 620 * time.Millisecond,
			"ka60-prewarm":  238 * time.Millisecond,
		},
		Source: "seed document, Hong Kong viewer → Frankfurt origin, curl, 20 requests 90 s apart",
	},
	"nrt-iad": {
		Name:        "nrt-iad",
		Description: "viewers in Tokyo, origin in N. Virginia, no published reference",
		ViewerPOP:   "NRT57-P2",
		OtherPOPs:   []string{"NRT20-C4", "KIX56-P1"},
		ViewerLink:  link.Link{RTT: 8 * time.Millisecond, Jitter: 1 * time.Millisecond},
		OriginLink:  link.Link{RTT: 150 * time.Millisecond, Jitter: 2 * time.Millisecond},
	},
	"traffic": {
		Name:        "traffic",
		Description: "five POPs on short links, for viewer traffic (lab traffic): time scaling stretches the gaps, not the requests",
		ViewerPOP:   "HKG62-C1",
		OtherPOPs:   []string{"NRT57-P2", "FRA56-P3", "SIN52-C1", "GRU50-C1"},
		ViewerLink:  link.Link{RTT: 1 * time.Millisecond},
		OriginLink:  link.Link{RTT: 2 * time.Millisecond},
	},
	"local": {
		Name:        "local",
		Description: "viewer, POP and origin in one city, little to gain",
		ViewerPOP:   "FRA56-P3",
		OtherPOPs:   []string{"FRA60-P1"},
		ViewerLink:  link.Link{RTT: 5 * time.Millisecond},
		OriginLink:  link.Link{RTT: 4 * time.Millisecond},
	},
}

// LookupProfile returns the named profile.
func LookupProfile(name string) (Profile, error) {
	p, ok := Profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("unknown profile %q (have %s)", name, strings.Join(ProfileNames(), ", "))
	}
	return p, nil
}

// ProfileNames lists the built-in profiles, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(Profiles))
	for n := range Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// POPs returns the viewer POP followed by the others.
func (p Profile) POPs() []string { return append([]string{p.ViewerPOP}, p.OtherPOPs...) }
