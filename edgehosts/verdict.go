package edgehosts

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// What the ids name. AWS documents the via header's format, never what its
// id identifies (shared/reference/cloudfront-facts.md, "What nobody has
// documented"), so the estimator judges it from the answers before it
// trusts an estimate: an id that names a host repeats across connections
// and addresses as draws from a pool of hosts would; one that never
// repeats names the request; one that never changes names nothing; one
// that changes with the POP address or with the client connection names
// those. Only the first kind yields a host count; the others are named, and
// the caller falls back to a hosts file or an assumed count.

// Verdict is what a POP's edge host ids seem to name.
type Verdict string

// The verdicts.
const (
	VerdictUnknown       Verdict = "unknown"        // too few answers named a host to tell
	VerdictPerHost       Verdict = "per-host"       // ids repeat as draws from a pool of hosts do: the estimate holds
	VerdictChained       Verdict = "chained"        // per host, read from the last of several CloudFront via entries
	VerdictPerRequest    Verdict = "per-request"    // no id repeated
	VerdictConstant      Verdict = "constant"       // one id over MinResponses answers or more
	VerdictPerAddress    Verdict = "per-address"    // one id per POP address
	VerdictPerConnection Verdict = "per-connection" // ids repeat only on the same client connection
)

// Suspect reports whether ids of this verdict repeat, but not as hosts
// would: an estimate from them would be wrong (Ĥ = 1 for a constant id,
// the address count for per-address ids, thousands for per-connection
// ones), so there is none.
func (v Verdict) Suspect() bool {
	return v == VerdictConstant || v == VerdictPerAddress || v == VerdictPerConnection
}

// NamesHosts reports whether ids of this verdict name edge hosts, so that
// answers can be grouped by host (Reach).
func (v Verdict) NamesHosts() bool { return v == VerdictPerHost || v == VerdictChained }

// Layout is how the edge hosts seen relate to the POP's addresses.
type Layout string

// The layouts.
const (
	LayoutUnknown    Layout = ""            // not enough answers per address to tell
	LayoutOneAddress Layout = "one-address" // every answer came through one address
	LayoutShared     Layout = "shared"      // the same hosts answer behind several addresses
	LayoutDisjoint   Layout = "disjoint"    // each address has hosts of its own
)

// Observation is what one answer says of the edge host behind it.
type Observation struct {
	ID   string     // the edge host id (the via's, or a host-identity header); "" unknown
	Hops int        // CloudFront entries in the via (cloudfront.Headers.ViaHops)
	Addr netip.Addr // the POP address the request was sent to; zero when unknown
	// Conn is the client end of the connection (ip:port) for a request
	// sent on a connection of its own; "" when unknown or when requests
	// shared connections (then a repeat on one connection says nothing).
	Conn   string
	Origin cloudfront.OriginConn // what the answer said of the POP's origin connection
}

// AddrFit is the estimate of one POP address's answers on their own.
type AddrFit struct {
	Addr netip.Addr
	Fit
}

// minPerAddress is the fewest answers an address needs for its ids to say
// anything about the address (per-address ids, layout).
const minPerAddress = 3

// disjointEvidence is the number of ids that addresses sharing one pool
// would have in common, in expectation, below which the absence of common
// ids proves nothing: P(none | shared) ≈ e^−3 ≈ 5%.
const disjointEvidence = 3.0

// Judge estimates a POP's host count from its answers and says what the
// ids name: EstimateHosts over all answers with an id, then the checks
// only the answers' addresses and connections allow. A suspect verdict
// leaves the fit without an estimate (OK false). For hosts split per
// address (LayoutDisjoint) the estimate is the sum of the addresses' own.
func Judge(obs []Observation, level float64) Fit {
	type addrStats struct {
		n   int
		ids map[string]int
	}
	ids := map[string]int{}
	byAddr := map[netip.Addr]*addrStats{}
	conns := map[string]map[string]bool{} // id → client connections it was seen on
	noConn := map[string]bool{}           // ids seen at least once without a connection
	n, hops := 0, 0
	for _, o := range obs {
		hops = max(hops, o.Hops)
		if o.ID == "" || len(o.ID) > cloudfront.MaxEdgeHostIDLen {
			continue
		}
		n++
		ids[o.ID]++
		a := byAddr[o.Addr]
		if a == nil {
			a = &addrStats{ids: map[string]int{}}
			byAddr[o.Addr] = a
		}
		a.n++
		a.ids[o.ID]++
		if o.Conn == "" {
			noConn[o.ID] = true
		} else if c := conns[o.ID]; c == nil {
			conns[o.ID] = map[string]bool{o.Conn: true}
		} else if len(c) < 2 { // one or more than one is all that matters
			c[o.Conn] = true
		}
	}
	f := EstimateHosts(n, len(ids), level)
	f.Hops = hops
	addrs := slices.SortedFunc(maps.Keys(byAddr), netip.Addr.Compare)
	for _, a := range addrs {
		s := byAddr[a]
		af := EstimateHosts(s.n, len(s.ids), level)
		f.Addrs = append(f.Addrs, AddrFit{Addr: a, Fit: af})
	}
	if !f.OK {
		return f
	}
	// Per address: every address with answers enough has one id of its
	// own, and there are several such addresses.
	judged, single := 0, 0
	for _, s := range byAddr {
		if s.n >= minPerAddress {
			judged++
			if len(s.ids) == 1 {
				single++
			}
		}
	}
	if judged >= 2 && single == judged {
		return suspect(f, VerdictPerAddress, fmt.Sprintf("per address: each of the %d POP addresses answered with one id of its own over %d responses: the id follows the address (suspect)", judged, n))
	}
	// Per connection: the ids that repeated all repeated on one client
	// connection, which a pool of hosts drawing per connection would not do.
	repeated, onOneConn := 0, 0
	for id, c := range ids {
		if c < 2 {
			continue
		}
		repeated++
		if !noConn[id] && len(conns[id]) == 1 {
			onOneConn++
		}
	}
	if repeated > 0 && onOneConn == repeated {
		return suspect(f, VerdictPerConnection, fmt.Sprintf("per connection: the %d ids that repeated did so only on the same client connection, over %d responses: the id follows the connection, not a host (suspect)", repeated, n))
	}
	f.Layout = layout(f, addrs, func(a netip.Addr) map[string]int { return byAddr[a].ids })
	if f.Layout == LayoutDisjoint {
		sumAddrs(&f)
	}
	if hops >= 2 {
		f.Verdict = VerdictChained
	}
	return f
}

// suspect turns a fit into one without an estimate, for the reason given.
func suspect(f Fit, v Verdict, why string) Fit {
	f.OK, f.Verdict, f.Why = false, v, why
	f.Best, f.Low, f.High = 0, 0, 0
	return f
}

// layout tells shared from disjoint hosts: addresses sharing one pool of
// Ĥ hosts have ids in common (about d_a·d_b/Ĥ for two addresses that saw
// d_a and d_b); disjoint ones never do.
func layout(f Fit, addrs []netip.Addr, idsOf func(netip.Addr) map[string]int) Layout {
	var used []netip.Addr
	for _, a := range addrs {
		if a.IsValid() && f.addr(a).Responses >= minPerAddress {
			used = append(used, a)
		}
	}
	switch {
	case len(used) == 0:
		return LayoutUnknown
	case len(used) == 1 && len(addrs) == 1:
		return LayoutOneAddress
	case len(used) == 1:
		return LayoutUnknown
	}
	common, expected := 0, 0.0
	seenAt := map[string]int{}
	for i, a := range used {
		for id := range idsOf(a) {
			seenAt[id]++
		}
		for _, b := range used[i+1:] {
			expected += float64(len(idsOf(a))*len(idsOf(b))) / float64(f.Best)
		}
	}
	for _, k := range seenAt {
		if k > 1 {
			common++
		}
	}
	switch {
	case common > 0:
		return LayoutShared
	case expected >= disjointEvidence:
		return LayoutDisjoint
	}
	return LayoutUnknown
}

// addr returns the fit of one address (zero when there is none).
func (f Fit) addr(a netip.Addr) Fit {
	i, ok := slices.BinarySearchFunc(f.Addrs, a, func(af AddrFit, a netip.Addr) int { return af.Addr.Compare(a) })
	if !ok {
		return Fit{}
	}
	return f.Addrs[i].Fit
}

// sumAddrs makes the estimate the sum of the addresses' own, when every
// address has one: hosts split per address are counted address by address.
func sumAddrs(f *Fit) {
	var best, low, high int
	for _, a := range f.Addrs {
		if !a.OK {
			return
		}
		best, low, high = best+a.Best, low+a.Low, high+a.High
	}
	f.Best, f.Low, f.High = best, low, high
}
