package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/lab/report"
)

// Profile is the geography of an experiment.
type Profile struct {
	Name        string
	Description string
	ViewerPOP   string    // the POP the viewers reach, e.g. HKG62-C1
	OtherPOPs   []string  // more POPs, for lab serve and prewarm lists
	ViewerLink  link.Link // viewer ↔ POP
	// EdgeTLS is the POP's own time for a viewer TLS handshake, on top of
	// the viewer link's round trip (edge.Config.TLSTime).
	EdgeTLS    time.Duration
	OriginLink link.Link // POP ↔ origin
	// Phases are the published medians phase by phase, by scenario name
	// (the seed's curl lines), for the reports to compare with.
	Phases map[string]report.Phases
	// Hosts are edge host counts of POPs that differ from the run's
	// --hosts, by code.
	Hosts map[string]int
	// Subnets is the DNS server's client-subnet table: a viewer network
	// (CIDR) → the POP its viewers get (cfprewarm warm --client-subnet).
	Subnets map[string]string
	// Field is the truth of POPs that differ from the run's field
	// (EnvConfig.Field), by code: addresses, layout, via ids, pool policy,
	// keep-alive (field.go).
	Field map[string]POPField
	// Published medians of the seed's experiment, by scenario name.
	Reference map[string]time.Duration
	Source    string
}

// Profiles are the built-in geographies.
//
// hkg-fra reproduces the seed document's measurement (viewers in Hong Kong,
// origin in Frankfurt) phase by phase. The medians of its 20 + 20 curl
// lines (shared reference, "phase by phase"): TCP connect 0.5 ms after DNS,
// TLS handshake 38.4 ms after that, request → first byte 0.580 s without
// prewarm and 0.194 s with it, Total 0.621 s and 0.238 s (0.620 s is the
// median Total the seed states). So the viewer is
// close to the POP (a 0.5 ms RTT) and the POP's side of the TLS handshake
// takes about 38 ms of its own (EdgeTLS, minus the viewer RTT and the
// client's CPU). A warm request costs a viewer RTT and an origin RTT after
// the handshake, a cold one a viewer RTT and 3 origin RTTs (origin TCP,
// TLS 1.3, request): 0.580 − 0.194 = 2 origin RTTs gives o = 193 ms.
var Profiles = map[string]Profile{
	"hkg-fra": {
		Name:        "hkg-fra",
		Description: "viewers in Hong Kong, origin in Frankfurt, the seed's experiment",
		ViewerPOP:   "HKG62-C1",
		OtherPOPs:   []string{"HKG54-C1", "NRT57-P2", "FRA56-P3"},
		ViewerLink:  link.Link{RTT: 500 * time.Microsecond, Jitter: 100 * time.Microsecond},
		EdgeTLS:     36 * time.Millisecond,
		OriginLink:  link.Link{RTT: 193 * time.Millisecond, Jitter: 2 * time.Millisecond},
		Reference: map[string]time.Duration{
			"ka5-noprewarm": 620 * time.Millisecond,
			"ka60-prewarm":  238 * time.Millisecond,
		},
		Phases: map[string]report.Phases{
			"ka5-noprewarm": {TCP: 500 * time.Microsecond, TLS: 38400 * time.Microsecond, FirstByte: 580 * time.Millisecond},
			"ka60-prewarm":  {TCP: 500 * time.Microsecond, TLS: 38300 * time.Microsecond, FirstByte: 194 * time.Millisecond},
		},
		Source: "seed document, Hong Kong viewer → Frankfurt origin, curl, 20 requests 90 s apart",
		// Documentation networks (RFC 5737) standing in for viewers' ISPs.
		Subnets: map[string]string{"203.0.113.0/24": "HKG62-C1", "198.51.100.0/24": "NRT57-P2", "192.0.2.0/24": "FRA56-P3"},
	},
	"mixed": {
		Name:        "mixed",
		Description: "four POPs of 2, 4, 8 and 32 edge hosts near viewers and origin (scenario coverage)",
		ViewerPOP:   "FRA56-P3",
		OtherPOPs:   []string{"FRA60-P1", "AMS54-C1", "LHR61-C2"},
		ViewerLink:  link.Link{RTT: 4 * time.Millisecond},
		OriginLink:  link.Link{RTT: 20 * time.Millisecond},
		Hosts:       map[string]int{"FRA56-P3": 8, "FRA60-P1": 2, "AMS54-C1": 4, "LHR61-C2": 32},
		Subnets:     map[string]string{"192.0.2.0/24": "FRA56-P3", "198.51.100.0/24": "AMS54-C1", "203.0.113.0/24": "LHR61-C2"},
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
	"field": {
		Name:        "field",
		Description: "one POP per alternative CloudFront does not document (addresses, layout, via ids, pool policy, keep-alive), for cfprewarm doctor",
		ViewerPOP:   "FRA56-P3",
		OtherPOPs:   []string{"AMS54-C1", "LHR61-C2", "CDG50-C1", "MAD53-P1", "ARN54-C1", "MUC50-P1", "FRA2"},
		ViewerLink:  link.Link{RTT: 2 * time.Millisecond},
		OriginLink:  link.Link{RTT: 10 * time.Millisecond},
		Hosts:       map[string]int{"FRA56-P3": 16, "AMS54-C1": 8, "LHR61-C2": 8, "CDG50-C1": 8, "MAD53-P1": 8, "ARN54-C1": 8, "MUC50-P1": 4, "FRA2": 4},
		Field: map[string]POPField{
			"FRA56-P3": {Addrs: 4},
			"AMS54-C1": {Addrs: 4, Split: true},
			"LHR61-C2": {Via: edge.ViaConstant},
			"CDG50-C1": {Addrs: 4, Via: edge.ViaAddress},
			"MAD53-P1": {Via: edge.ViaRequest},
			"ARN54-C1": {Via: edge.ViaChained},
			"MUC50-P1": {Pool: edge.PoolNewIfNoneIdle, KeepAlive: 20 * time.Second},
			"FRA2":     {KeepAlive: 5 * time.Second},
		},
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

// HostsOf is the edge host count of a POP of the profile: its own, or
// hosts.
func (p Profile) HostsOf(code string, hosts int) int {
	if n, ok := p.Hosts[code]; ok {
		return n
	}
	return hosts
}
