package warm

import (
	"crypto/tls"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Sizing: how many requests a wave sends to a POP, and what they reached.
//
// Fixed (RequestsPerPOP): the same N every wave. Auto: the fewest N that
// reach Coverage of the POP's edge hosts in one wave, 1 − (1 − 1/H)^N ≥
// Coverage, where H is the POP's estimated host count (package edgehosts:
// the edge host ids of the responses, pooled over the recent waves), else
// the hosts file's count, else Config.Hosts.
//
// Adapt scales auto's N (at least MinRequests) by a factor per POP,
// learned from the waves: a wave that came within the keep-alive of the
// previous one measures coverage directly, host by host. A cold answer is
// not a missed host (a host whose idle origin connections are fewer than
// the wave's requests to it answers the rest cold, and CloudFront's pool
// policy is not documented), so the answers are grouped by edge host
// (edgehosts.WaveReach): a host with any warm answer was reached by an
// earlier wave, one whose every answer was cold was missed. When
// significantly more of the wave's hosts were missed than 1 − Coverage
// allows, the factor grows (by the model, ln(1−Coverage)/ln(missed
// share), 1.25× to 2×); otherwise it shrinks by a fifth, down to 1/m,
// where m is the number of
// waves whose connections are still open at the worst moment, just before
// the next wave: m = ⌈K/g⌉ − 1 for keep-alive K and the longest recent gap
// g between waves (at least 1). With m waves alive a host is missed with
// probability (1 − 1/H)^(m·N), so N/m per wave keeps the same coverage.
// When the ids do not name hosts (edgehosts.Verdict.NamesHosts) nothing
// tells a missed host from a busy one, and the factor holds.

// Sizing modes.
const (
	SizingFixed    = "fixed"
	SizingAuto     = "auto"
	SizingAdaptive = "adaptive"
)

// Where the host count of a plan came from (edgehosts.HostsFrom).
const (
	HostsFromEstimate  = edgehosts.FromEstimate  // the POP's own responses
	HostsFromHostsFile = edgehosts.FromHostsFile // Config.KnownHosts
	HostsFromAssumed   = edgehosts.FromAssumed   // Config.Hosts
)

// Sizing is how one POP's requests of a wave were sized, and what they
// reached.
type Sizing struct {
	Mode      string              `json:"mode"`       // fixed, auto or adaptive
	Requests  int                 `json:"requests"`   // N planned
	Hosts     int                 `json:"hosts"`      // the host count the plan assumed
	HostsFrom edgehosts.HostsFrom `json:"hosts_from"` // estimate, hosts-file or assumed
	// PredictedCoverage is 1 − (1 − 1/Hosts)^Requests: the share of the
	// POP's edge hosts the wave is expected to reach.
	PredictedCoverage float64 `json:"predicted_coverage"`
	// Factor is the adaptive factor N was scaled by; Overlap the number of
	// waves whose connections the factor's floor counted on.
	Factor  float64 `json:"adapt_factor,omitempty"`
	Overlap int     `json:"overlap,omitempty"`

	// EdgeHostsSeen is the number of distinct edge host ids among the
	// wave's responses from the POP.
	EdgeHostsSeen int `json:"edge_hosts_seen"`
	// EdgeHosts is the POP's host-count estimate after the wave, pooled
	// over its recent waves; nil when unavailable (EdgeHostsNote says why).
	EdgeHosts     *HostEstimate `json:"edge_hosts_estimate"`
	EdgeHostsNote string        `json:"edge_hosts_note,omitempty"`
	// EdgeHostsVerdict is what the POP's ids seem to name (per-host,
	// constant, per-address, ...); a suspect one leaves no estimate, and
	// the next wave plans with the hosts file or the assumed count.
	EdgeHostsVerdict edgehosts.Verdict `json:"edge_hosts_verdict,omitempty"`
	// Reach groups the wave's answers by edge host: hosts reached (a warm
	// answer), missed (cold only), and the cold answers of reached hosts,
	// which measure the POP's pool, not coverage. Nil when the ids do not
	// name hosts.
	Reach *edgehosts.Reach `json:"reach,omitempty"`
}

// HostEstimate is an estimate of a POP's edge host count.
type HostEstimate struct {
	Hosts     int     `json:"hosts"`
	Low       int     `json:"ci_low"`
	High      int     `json:"ci_high"`
	Level     float64 `json:"ci_level"`
	Responses int     `json:"responses"` // responses naming a host, pooled
	Waves     int     `json:"waves"`     // waves pooled
}

// State is what the waves learned, in two parts: the host model of each
// target (a POP, or a client subnet: its edge host ids, its estimate, its
// adaptive factor, its recent gaps between waves) and the TLS session
// store (a session cache per address of a target, probers.go). Share one
// between Runners to carry both across runs (the Lambda's invocations).
// Safe for concurrent use; the zero value is not: use NewState.
type State struct {
	hosts    hostModel
	sessions sessionStore
}

// NewState returns an empty State.
func NewState() *State {
	return &State{
		hosts:    hostModel{pops: map[string]*popState{}},
		sessions: sessionStore{caches: map[proberKey]tls.ClientSessionCache{}},
	}
}

// hostModel is what the waves learned about each target's edge hosts: the
// sizing of the next wave comes from it (plan), each wave adds to it
// (learn).
type hostModel struct {
	mu   sync.Mutex
	pops map[string]*popState
}

type popState struct {
	pop    string // the POP code (for a client subnet: the one that answered last)
	hosts  edgehosts.Tracker
	fit    edgehosts.Fit
	factor float64
	last   time.Time
	gaps   []time.Duration // recent gaps between waves, newest last
}

// maxGaps is the number of recent gaps between waves a POP remembers.
const maxGaps = 10

func (m *hostModel) get(key string) *popState {
	ps := m.pops[key]
	if ps == nil {
		ps = &popState{factor: 1}
		m.pops[key] = ps
	}
	return ps
}

// Fit returns the current host-count fit of a target (a POP code or a
// client subnet), and whether the target was seen.
func (st *State) Fit(key string) (edgehosts.Fit, bool) {
	m := &st.hosts
	m.mu.Lock()
	defer m.mu.Unlock()
	ps, ok := m.pops[key]
	if !ok {
		return edgehosts.Fit{}, false
	}
	return ps.fit, true
}

// HostsFile is what the state knows of the POPs' edge hosts, as the hosts
// file (edgehosts.File) `cfprewarm plan` reads: for every POP that
// answered, its estimate, or where there is none the host count the plan
// used (from known, else fallback) with the reason. A POP reached both by
// its code and through a client subnet is listed once, by its code.
func (st *State) HostsFile(known map[string]edgehosts.Estimate, fallback int) edgehosts.File {
	m := &st.hosts
	m.mu.Lock()
	defer m.mu.Unlock()
	f := edgehosts.File{Generated: time.Now().UTC()}
	byPOP := map[string]edgehosts.Estimate{}
	for _, key := range slices.Sorted(maps.Keys(m.pops)) {
		ps := m.pops[key]
		if !cloudfront.ValidPOPCode(ps.pop) || ps.hosts.Waves() == 0 { // never answered with an id
			continue
		}
		h := fallback
		if e, ok := known[ps.pop]; ok {
			h = e.Hosts
		}
		e := ps.fit.Estimate(strings.ToUpper(ps.pop), h)
		if _, dup := byPOP[e.POP]; dup && key != ps.pop {
			continue
		}
		byPOP[e.POP] = e
	}
	for _, pop := range slices.Sorted(maps.Keys(byPOP)) {
		f.POPs = append(f.POPs, byPOP[pop])
	}
	return f
}

// plan sizes the next wave of a target. pop is "" for a client subnet:
// the POP that answered its last wave stands in, once there is one.
func (m *hostModel) plan(key, pop string, c Config) Sizing {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.get(key)
	if pop == "" {
		pop = ps.pop
	}
	s := Sizing{Mode: SizingFixed, Requests: c.RequestsPerPOP, Hosts: c.Hosts, HostsFrom: HostsFromAssumed}
	if e, ok := c.KnownHosts[pop]; ok && pop != "" {
		s.Hosts, s.HostsFrom = e.Hosts, HostsFromHostsFile
	}
	if ps.fit.OK {
		s.Hosts, s.HostsFrom = ps.fit.Best, HostsFromEstimate
	}
	if c.Auto {
		s.Mode = SizingAuto
		n := float64(edgehosts.RequestsFor(s.Hosts, c.Coverage))
		if c.Adapt {
			n = max(n, float64(c.MinRequests)) // the factor scales what is sent
			s.Mode, s.Factor, s.Overlap = SizingAdaptive, ps.factor, ps.overlap(c.KeepAlive)
			n = math.Ceil(n * ps.factor)
		}
		s.Requests = min(max(int(n), c.MinRequests), c.MaxRequests)
	}
	s.PredictedCoverage = math.Round(edgehosts.Coverage(s.Hosts, s.Requests)*1e6) / 1e6
	return s
}

// observed is what a wave saw of a target's edge hosts: Sizing's
// EdgeHostsSeen, EdgeHosts, EdgeHostsNote, EdgeHostsVerdict and Reach.
type observed struct {
	seen     int
	estimate *HostEstimate // nil when unavailable
	note     string        // why it is unavailable
	verdict  edgehosts.Verdict
	reach    *edgehosts.Reach // nil when the ids do not name hosts
}

// fill sets what the wave saw in its sizing.
func (o observed) fill(s *Sizing) {
	s.EdgeHostsSeen, s.EdgeHosts, s.EdgeHostsNote = o.seen, o.estimate, o.note
	s.EdgeHostsVerdict, s.Reach = o.verdict, o.reach
}

// learn takes in a wave of a target: what its answers from the target POP
// say of their edge hosts. It returns what the wave saw.
func (m *hostModel) learn(key, pop string, obs []edgehosts.Observation, start time.Time, c Config) observed {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.get(key)
	ps.pop = pop
	ps.hosts.Add(obs)
	ps.fit = ps.hosts.Fit(edgehosts.DefaultLevel)
	o := observed{seen: distinctIDs(obs), verdict: ps.fit.Verdict}
	if f := ps.fit; f.OK {
		o.estimate = &HostEstimate{Hosts: f.Best, Low: f.Low, High: f.High, Level: f.Level, Responses: f.Responses, Waves: ps.hosts.Waves()}
	} else {
		o.note = f.Why
	}
	if ps.fit.Verdict.NamesHosts() {
		r := edgehosts.WaveReach(obs)
		o.reach = &r
	}
	var gap time.Duration
	if !ps.last.IsZero() {
		gap = start.Sub(ps.last)
		ps.gaps = append(ps.gaps, gap)
		if len(ps.gaps) > maxGaps {
			ps.gaps = ps.gaps[1:]
		}
	}
	ps.last = start
	if c.Auto && c.Adapt && gap > 0 && gap < c.KeepAlive && o.reach != nil && o.reach.Hosts > 0 {
		ps.adapt(o.reach.Missed, o.reach.Hosts, 1-c.Coverage, c.KeepAlive)
	}
	return o
}

// Adaptive steps.
const (
	adaptShrink  = 0.8  // per wave without significant cold requests
	adaptGrowMin = 1.25 // per wave with them, at least
	adaptGrowMax = 2.0  //   and at most
	adaptMax     = 8.0  // the largest factor
	adaptAlpha   = 0.05 // significance of "more cold requests than the target allows"
)

// adapt updates the factor from a wave's missed hosts among those it
// reached an answer from, against the target missed share tau.
func (ps *popState) adapt(missed, hosts int, tau float64, keepAlive time.Duration) {
	floor := 1 / float64(ps.overlap(keepAlive))
	if hosts > 0 && binomialTail(missed, hosts, tau) < adaptAlpha {
		step := adaptGrowMax
		if rho := float64(missed) / float64(hosts); rho < 1 {
			step = min(max(math.Log(tau)/math.Log(rho), adaptGrowMin), adaptGrowMax)
		}
		ps.factor = min(max(ps.factor, floor)*step, adaptMax)
		return
	}
	ps.factor = max(ps.factor*adaptShrink, floor)
}

// overlap is the number of waves whose origin connections are still open
// just before the next wave: ⌈K/g⌉ − 1 for the longest recent gap g, at
// least 1 (and 1 before any gap is known).
func (ps *popState) overlap(keepAlive time.Duration) int {
	if len(ps.gaps) == 0 || keepAlive <= 0 {
		return 1
	}
	g := slices.Max(ps.gaps)
	if g <= 0 {
		return 1
	}
	return max(int(math.Ceil(float64(keepAlive)/float64(g)))-1, 1)
}

// binomialTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomialTail(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n || p <= 0 {
		return 0
	}
	sum := 0.0
	lg, _ := math.Lgamma(float64(n + 1))
	for i := k; i <= n; i++ {
		li, _ := math.Lgamma(float64(i + 1))
		lr, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(lg - li - lr + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return min(sum, 1)
}

func distinctIDs(obs []edgehosts.Observation) int {
	seen := make(map[string]struct{}, len(obs))
	for _, o := range obs {
		if o.ID != "" {
			seen[o.ID] = struct{}{}
		}
	}
	return len(seen)
}

// maxPerPOP is the most requests a wave may send one target.
func (c Config) maxPerPOP() int {
	if c.Auto {
		return c.MaxRequests
	}
	return c.RequestsPerPOP
}

// mostRequests is the most requests a run may send: waves × targets (POPs
// and client subnets) × the most per target and wave.
func (c Config) mostRequests() int {
	return c.Waves * (len(c.POPs) + len(c.ClientSubnets)) * c.maxPerPOP()
}

// MostRequests is the most billed requests a run of c may send, its
// defaults applied: Waves × (POPs + client subnets) × RequestsPerPOP (with
// Auto, MaxRequests: adaptive sizing never goes above it). Validate keeps
// it within MaxRequestsPerRun; the Lambda keeps an event's within its
// environment's.
func (c Config) MostRequests() int { return c.withDefaults().mostRequests() }

// validateSizing checks the request counts and the sizing settings.
func validateSizing(c Config, p *config.Problems) {
	if c.Auto {
		p.Range("min requests", c.MinRequests, 1, MaxRequestsPerPOP)
		p.Range("max requests", c.MaxRequests, 1, MaxRequestsPerPOP)
		if c.MinRequests > c.MaxRequests && c.MaxRequests > 0 {
			p.Add("min requests %d: more than max requests %d", c.MinRequests, c.MaxRequests)
		}
	} else {
		p.Range("requests per POP", c.RequestsPerPOP, 1, MaxRequestsPerPOP)
		if c.Adapt {
			p.Add("adapt: needs automatic requests per POP (requests auto)")
		}
	}
	if err := CheckCoverage(c.Coverage); err != nil {
		p.Add("coverage %v: %v", c.Coverage, err)
	}
	p.Range("hosts", c.Hosts, 1, edgehosts.MaxHosts)
	if c.TLSVersion != tls.VersionTLS12 && c.TLSVersion != tls.VersionTLS13 {
		p.Add("TLS version %#x: want TLS 1.2 or TLS 1.3", c.TLSVersion)
	}
	if n := len(c.POPs) + len(c.ClientSubnets); len(c.ClientSubnets) > 0 && n > MaxPOPs {
		p.Add("POPs and client subnets: %d is more than the limit of %d", n, MaxPOPs)
	}
	// One network given twice (or spelled twice: 203.0.113.1/24 is
	// 203.0.113.0/24; withDefaults masked them) would be warmed twice:
	// twice the billed requests for the same POP.
	seen := map[netip.Prefix]bool{}
	for _, s := range c.ClientSubnets {
		switch {
		case !s.IsValid():
			p.Add("client subnet: not a valid CIDR prefix")
		case seen[s]:
			p.Add("client subnet %s: listed twice (after masking the host bits)", s)
		}
		seen[s] = true
	}
}
