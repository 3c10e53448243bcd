package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
	"github.com/cfprewarm/cfprewarm/schedule"
)

// TestAgentPatterns: the forms of --exclude-user-agent, on User-Agents as
// CloudFront logs them (%XX escapes, sometimes twice); cfprewarm's own
// User-Agent is recognised whatever the version, and a probe's or a
// browser's is not.
func TestAgentPatterns(t *testing.T) {
	esc := func(s string) string { return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29").Replace(s) }
	for _, tc := range []struct {
		pattern string
		ua      string
		want    bool
	}{
		{"-", "-", true},
		{"-", "curl/8.5.0", false},
		{"=curl/8.5.0", "curl/8.5.0", true},
		{"=curl/8.5.0", "curl/8.5.0 (x86_64)", false},
		{"=Mozilla/5.0 (X11)", esc("Mozilla/5.0 (X11)"), true},
		{"node-fetch", "node-fetch/1.0%20(+https://github.com/bitinn/node-fetch)", true},
		{"NODE-FETCH", "node-fetch/1.0", true},
		{"prewarmer", "-", false},
		{"Amazon CloudFront*", "Amazon%2520CloudFront", true}, // escaped twice
		{"*bot*", "Googlebot/2.1", true},
		{"*bot", "Googlebot/2.1", false},
		{"curl/?.?.?", "curl/8.5.0", true},
		{"curl/?.?", "curl/8.5.0", false},
		{"a*b*c*d", strings.Repeat("a", 2000) + "bcd", true},
	} {
		a, err := parseAgents([]string{tc.pattern})
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		if got := a.match([]byte(tc.ua)); got != tc.want {
			t.Errorf("%q on %q: %v", tc.pattern, tc.ua, got)
		}
	}
	own, _ := parseAgents(PrewarmAgents)
	for _, v := range []string{"dev", "v1.2.0", "dev+1a2b3c4d5e6f.dirty", "v0.0.0-20261129101500-1a2b3c4d5e6f+dirty"} {
		if ua := buildinfo.PrewarmUserAgent(v); !own.match([]byte(ua)) || !own.match([]byte(esc(ua))) {
			t.Errorf("cfprewarm's own User-Agent %q is not recognised", ua)
		}
	}
	for _, ua := range []string{"cfprewarm/dev", "Go-http-client/1.1", "-", "Mozilla/5.0"} {
		if own.match([]byte(ua)) {
			t.Errorf("%q taken for cfprewarm's prewarmer", ua)
		}
	}
	if own.match(nil) {
		t.Error("a log without cs(User-Agent) matched")
	}
	for _, bad := range []string{"", "=", strings.Repeat("x", 1001)} {
		if _, err := parseAgents([]string{bad}); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
	cfg := DefaultConfig()
	cfg.Traffic.PrewarmAgents = []string{"="}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "User-Agent pattern") {
		t.Errorf("a bad pattern in the configuration: %v", err)
	}
}

// TestPrewarmRequestsWarmButAreNotViewers: logs with a prewarmer's
// requests beside rare viewers. The prewarm requests are counted apart
// (not in the requests, the shares or the gains), and they keep the edge
// hosts warm: the viewers' cold share is what the oracle measured with
// them. Taken for viewers (a User-Agent the plan does not know), they
// would make the POP look warm; --exclude-user-agent tells them.
func TestPrewarmRequestsWarmButAreNotViewers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d = 3 * 3600
	ss := singles(1.0/60)(rng, "NRT57-P2", d)
	var prewarms int
	for at := 10.0; at < d; at += 40 {
		for range 40 {
			ss = append(ss, session{pop: "NRT57-P2", start: at + 0.05*rng.Float64(), n: 1, prewarm: true})
			prewarms++
		}
	}
	ps := playPools(3, ss, 16, 60, 0.1, 0.2, false)
	want, viewers := trueCold(ps, "NRT57-P2")
	dir := writeLogs(t, ps)
	p, err := planFrom(fromLogs(t, dir, DefaultConfig().Traffic), func(c *Config) { c.KeepAlive = time.Minute })
	if err != nil {
		t.Fatal(err)
	}
	pop := p.POPs[0]
	if pop.Requests != int64(viewers) || pop.PrewarmRequests != int64(prewarms) || p.PrewarmRequests != int64(prewarms) || p.Requests != int64(viewers) {
		t.Errorf("requests %d and prewarm %d (plan %d, %d); want %d and %d", pop.Requests, pop.PrewarmRequests, p.Requests, p.PrewarmRequests, viewers, prewarms)
	}
	if math.Abs(pop.Cold.Current-want) > 0.03 || want > 0.2 {
		t.Errorf("viewers' cold share %.3f, the oracle %.3f (warmed by the prewarm requests)", pop.Cold.Current, want)
	}
	if pop.RequestsPerDay != float64(viewers)/p.Days {
		t.Errorf("requests per day %.1f count prewarm requests", pop.RequestsPerDay)
	}

	// The same logs with another prewarmer's User-Agent: viewers until
	// --exclude-user-agent names it.
	other := t.TempDir()
	filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if e.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		b = gunzip(t, b)
		b = []byte(strings.ReplaceAll(string(b), "cfprewarm/v1.4.0%20(prewarm;%20+https://github.com/cfprewarm/cfprewarm)", "-"))
		os.WriteFile(filepath.Join(other, filepath.Base(path)+".log"), b, 0o644)
		return nil
	})
	k60 := func(c *Config) { c.KeepAlive = time.Minute }
	mixed, err := planFrom(fromLogs(t, other, DefaultConfig().Traffic), k60)
	if err != nil {
		t.Fatal(err)
	}
	if m := mixed.POPs[0]; m.Requests != int64(viewers+prewarms) || m.PrewarmRequests != 0 || math.Abs(m.Cold.Current-want) < 0.05 {
		t.Errorf("prewarm requests without a known User-Agent: %d requests, %d prewarm, cold %.3f (the viewers' %.3f)", m.Requests, m.PrewarmRequests, m.Cold.Current, want)
	}
	tr := DefaultConfig().Traffic
	tr.PrewarmAgents = []string{"-"}
	told, err := planFrom(fromLogs(t, other, tr), func(c *Config) { k60(c); c.Traffic = tr })
	if err != nil {
		t.Fatal(err)
	}
	if tp := told.POPs[0]; tp.Requests != int64(viewers) || tp.PrewarmRequests != int64(prewarms) || strings.Join(told.PrewarmAgents, " ") != PrewarmAgents[0]+" -" {
		t.Errorf("--exclude-user-agent -: %d requests, %d prewarm, agents %q", tp.Requests, tp.PrewarmRequests, told.PrewarmAgents)
	}
}

// TestViewerConnections: requests of one c-ip, c-port and POP less than the
// viewer idle limit apart are one connection (its later requests continue
// it); another port, another POP, a longer gap, another file or a viewer
// idle of 0 make new ones; without c-ip and c-port every request opens
// its own, and the plan says which assumption it made.
func TestViewerConnections(t *testing.T) {
	base := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	line := func(sec int, pop, ip string, port int) accesslog.Entry {
		return accesslog.Entry{Time: base.Add(time.Duration(sec) * time.Second), POP: pop, ClientIP: ip, ClientPort: port, Method: "GET",
			Host: "d111111abcdef8.cloudfront.net", Status: 200, ResultType: "Miss", TimeTaken: 100 * time.Millisecond,
			TTFB: 100 * time.Millisecond, RangeStart: -1, RangeEnd: -1, ContentLen: -1}
	}
	es := []accesslog.Entry{
		line(0, "HKG62-C1", "192.0.2.1", 5000),
		line(1, "HKG62-C1", "192.0.2.1", 5000),   // continues, gap 1
		line(1, "HKG62-C1", "192.0.2.1", 5000),   // continues, gap 0
		line(30, "HKG62-C1", "192.0.2.1", 5000),  // continues, gap 29
		line(30, "HKG62-C1", "192.0.2.1", 5001),  // another port
		line(30, "NRT57-P2", "192.0.2.1", 5000),  // another POP
		line(200, "HKG62-C1", "192.0.2.1", 5000), // 170 s idle: a new connection
		line(201, "HKG62-C1", "192.0.2.2", 5000), // another address
	}
	write := func(dir, name string, es []accesslog.Entry) {
		b := []byte(accesslog.Header())
		for _, e := range es {
			b = accesslog.AppendW3C(b, e)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	dir := t.TempDir()
	write(dir, "a.log", es)
	// The same connection in another file: read apart, it is a new one.
	write(dir, "b.log", []accesslog.Entry{line(202, "HKG62-C1", "192.0.2.2", 5000)})
	c := fromLogs(t, dir, DefaultConfig().Traffic)
	if s := c.Seen(); s.Requests != 9 || s.Connection != 9 || s.Continued != 3 || s.TimeTaken != 9 {
		t.Errorf("seen %+v, want 9 requests with connections, 3 continuing one", s)
	}
	gaps := map[uint32]uint64{}
	for _, sec := range c.pops["HKG62-C1"].seconds() {
		for _, l := range sec.links {
			gaps[l.gap] += l.n
		}
	}
	if len(gaps) != 3 || gaps[0] != 1 || gaps[1] != 1 || gaps[29] != 1 {
		t.Errorf("gaps %v, want one each of 0, 1 and 29 s", gaps)
	}
	p, err := planFrom(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Assumptions, "\n"), "viewer connections from c-ip, c-port and the POP, gaps up to 1m0s") {
		t.Errorf("assumptions: %q", p.Assumptions)
	}

	none := fromLogs(t, dir, Traffic{})
	if s := none.Seen(); s.Continued != 0 {
		t.Errorf("viewer idle 0 grouped %d requests", s.Continued)
	}
	bare := t.TempDir()
	for i := range es {
		es[i].ClientIP, es[i].ClientPort = "", 0
	}
	write(bare, "a.log", es)
	c = fromLogs(t, bare, DefaultConfig().Traffic)
	p, err = planFrom(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Seen(); s.Connection != 0 || s.Continued != 0 || !strings.Contains(p.Assumptions[0], "no c-ip and c-port") {
		t.Errorf("no c-ip, c-port: seen %+v, assumptions %q", s, p.Assumptions)
	}
}

// TestPools: an edge host's origin connections, one request at a time:
// a request takes the idle connection used last; one that finds every
// connection busy opens another (cold, m − 1 busy); idle ones close after
// the keep-alive.
func TestPools(t *testing.T) {
	sim := simulator{hosts: 1, keep: 5, pools: make([][]float64, 1)}
	for _, step := range []struct {
		t, busy  float64
		cold     bool
		busyWas  int
		poolSize int
	}{
		{0, 1, true, 0, 1},       // nothing open
		{0.5, 1, true, 1, 2},     // the first is busy until 1
		{0.6, 1, true, 2, 3},     // both busy
		{1.2, 0.1, false, 2, 3},  // the first is idle again
		{2.0, 0.1, false, 0, 3},  // three idle: it takes the one freed last (at 1.6)
		{6.5, 0.1, false, 0, 1},  // those freed at 1.3 and 1.5 closed 5 s later
		{20, 0.1, true, 0, 1},    // all closed
		{20.05, 0.1, true, 1, 2}, // busy until 20.1
		{20.2, 0.1, false, 0, 2},
	} {
		cold, busy := sim.use(0, step.t, step.busy)
		if cold != step.cold || busy != step.busyWas || len(sim.pools[0]) != step.poolSize {
			t.Errorf("at %.2f: cold %v, %d busy, %d connections; want %v, %d, %d", step.t, cold, busy, len(sim.pools[0]), step.cold, step.busyWas, step.poolSize)
		}
	}

	// The waves: a POP whose viewers come in bursts needs several origin
	// connections per host; waves sized for one leave those requests
	// cold, waves sized for that many warm them.
	rng := rand.New(rand.NewPCG(4, 5))
	ps := playPools(6, burstsOf(1.0/600, 30, 3)(rng, "SIN52-C1", 6*3600), 8, 60, 0.3, 0.2, false)
	p, err := planFrom(fromLogs(t, writeLogs(t, ps), DefaultConfig().Traffic), func(c *Config) { c.Hosts, c.KeepAlive, c.MinGain = 8, time.Minute, 0 })
	if err != nil {
		t.Fatal(err)
	}
	pop := p.POPs[0]
	if pop.ConnectionsPerHost < 3 || pop.BusyCold <= 0.05 {
		t.Fatalf("bursts of 30 in 3 s on 8 hosts: %d connections per host, %.3f cold for want of one", pop.ConnectionsPerHost, pop.BusyCold)
	}
	if n := edgehosts.RequestsFor(8, 0.99); pop.RequestsPerWave <= n {
		t.Errorf("%d requests per wave: no more than the %d that reach 99%% of 8 hosts once", pop.RequestsPerWave, n)
	}
	m := model{pop: pop, alone: alone{cold: 30, need: []float64{0, 10, 10, 10}}}
	window := schedule.Daemon(20 * time.Second).WindowWaves(time.Minute) // three waves in every keep-alive
	if small, big := m.coldWith(8, time.Minute, window), m.coldWith(80, time.Minute, window); !(small > 15 && big < 1) {
		t.Errorf("requests needing 2 to 4 connections: %.1f of 30 stay cold with waves of 8, %.1f with waves of 80", small, big)
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.OriginPool = PoolReuse },
		func(c *Config) { c.OriginPool = "queue" },
	} {
		cfg := DefaultConfig()
		bad(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "origin pool") {
			t.Errorf("origin pool %q, origin RTT %v: %v", cfg.OriginPool, cfg.OriginRTT, err)
		}
	}
	if got := binomialCDF(10, 0.5, 4); math.Abs(got-386.0/1024) > 1e-12 {
		t.Errorf("P(Binomial(10, 1/2) ≤ 4) = %v", got)
	}
}

// TestOutliers: one line dated 1970-01-01 and one 9999-12-31 among two
// days of good ones are left out as bad lines, with where they were read;
// the period, the rates and the plan are those of the good lines; the JSON
// form writes. So it does when every line is 9999-12-31 23:59:59.
func TestOutliers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	ps := playPools(2, singles(1.0/80)(rng, "FRA56-P3", 2*86400), 16, 5, 0.05, 0.2, false)
	dir := writeLogs(t, ps)
	odd := []byte(accesslog.Header())
	for _, at := range []time.Time{time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)} {
		odd = accesslog.AppendW3C(odd, accesslog.Entry{Time: at, POP: "FRA56-P3", Method: "GET", Status: 200, RangeStart: -1, RangeEnd: -1, ContentLen: -1, TTFB: -1, TimeTaken: -1})
	}
	os.WriteFile(filepath.Join(dir, "odd.log"), odd, 0o644)
	clean, err := planFrom(fromLogs(t, writeLogs(t, ps), DefaultConfig().Traffic), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Run(context.Background(), Input{Logs: accesslog.Config{Inputs: []string{dir}}}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	o := p.Outliers
	if o == nil || o.Requests != 2 || len(o.Examples) != 2 || !strings.Contains(o.Examples[0], "odd.log line 3: 1970-01-01 00:00:00") ||
		!strings.Contains(o.Examples[1], "odd.log line 4: 9999-12-31 23:59:59") {
		t.Fatalf("outliers %+v", o)
	}
	if !p.From.Equal(clean.From) || !p.To.Equal(clean.To) || p.POPs[0].RequestsPerDay != clean.POPs[0].RequestsPerDay ||
		p.POPs[0].Cold.Current != clean.POPs[0].Cold.Current || p.Requests != clean.Requests {
		t.Errorf("with the outliers: %v to %v, %.1f a day, cold %.3f; without: %v to %v, %.1f, %.3f", p.From, p.To, p.POPs[0].RequestsPerDay,
			p.POPs[0].Cold.Current, clean.From, clean.To, clean.POPs[0].RequestsPerDay, clean.POPs[0].Cold.Current)
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "2 requests far outside") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("JSON: %v", err)
	}

	// Every line at the last second a log can have: the plan writes.
	late := NewCounts()
	late.Add("FRA56-P3", accesslog.MaxUnix, 0.1, true)
	late.Add("FRA56-P3", accesslog.MaxUnix, 0.1, true)
	p, err = planFrom(late, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(p); err != nil || p.To.Year() != 9999 || p.Days <= 0 {
		t.Errorf("9999-12-31: JSON %v, period to %v, %v days", err, p.To, p.Days)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "per-day figures are extrapolated from 1s of traffic") {
		t.Errorf("a second of traffic: warnings %q", w)
	}
	// A v2 timestamp(ms) of 1e15 is a bad line; the rest plans.
	rt := filepath.Join(t.TempDir(), "rt")
	os.WriteFile(rt, []byte("1000000000000000\tFRA56-P3\n1793527200000\tFRA56-P3\n"), 0o644)
	p, err = Run(context.Background(), Input{Logs: accesslog.Config{Inputs: []string{rt}, Fields: []string{"timestamp(ms)", "x-edge-location"}}}, DefaultConfig())
	if err != nil || p.Logs.Bad != 1 || p.Requests != 1 {
		t.Fatalf("timestamp(ms) 1e15: %v", err)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("JSON: %v", err)
	}
}

// TestActiveHours: a request makes the hour after it active (up to the
// next request or the end of the period): 20 minutes of steady traffic
// across 02:00 are a third of an hour, not two clock hours.
func TestActiveHours(t *testing.T) {
	c := NewCounts()
	from := time.Date(2026, 11, 1, 1, 50, 0, 0, time.UTC).Unix()
	for s := range int64(1200) {
		c.Add("HKG62-C1", from+s, 0.1, true)
	}
	c.Add("NRT57-P2", from, 0.1, true)
	c.Add("NRT57-P2", from+1199, 0.1, true)
	p, err := planFrom(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pop := range p.POPs {
		if math.Abs(pop.ActiveHours-1.0/3) > 1e-9 || math.Abs(pop.RatePerHour-float64(pop.Requests)*3) > 1e-6 {
			t.Errorf("%s: %.3f active hours, %.1f per active hour", pop.Code, pop.ActiveHours, pop.RatePerHour)
		}
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "extrapolated from 20m0s of traffic") {
		t.Errorf("warnings %q", w)
	}
}

// TestHostWithoutPort: a Host header logged with a port (the lab's, or a
// viewer's) names the target without it.
func TestHostWithoutPort(t *testing.T) {
	c := NewCounts()
	c.Add("HKG62-C1", start.Unix(), 0.1, true)
	for range 3 {
		c.addNames("D111111ABCDEF8.cloudfront.net:33233", "d111111abcdef8.cloudfront.net:33233")
	}
	c.addNames("d111111abcdef8.cloudfront.net", "[2001:db8::1]:443")
	if d, h := c.Names(); d != "d111111abcdef8.cloudfront.net" || h != "d111111abcdef8.cloudfront.net" {
		t.Errorf("names %q %q", d, h)
	}
	if got := (Target{}).named(c, nil); got.Distribution != "d111111abcdef8.cloudfront.net" || got.Host != "" {
		t.Errorf("target %+v: the Host is the distribution domain", got)
	}
	for in, want := range map[string]string{"api.example.com:8443": "api.example.com", "API.Example.com.": "api.example.com", "[2001:db8::1]:443": "2001:db8::1", "api.example.com": "api.example.com"} {
		if got := hostName(in); got != want {
			t.Errorf("hostName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMemoryBounds: the aggregate grows with POPs × active seconds,
// whatever the spacing of the requests (each in its own 5-minute block:
// one cell each), and refuses more than MaxPOPs POPs with a message that
// names the likely cause; counts are 64-bit (two rows of 2^32 − 1
// requests and one of 3 are 2^33 + 1).
func TestMemoryBounds(t *testing.T) {
	c := NewCounts()
	const n = 200_000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range int64(n) {
		c.Add("HKG62-C1", start.Unix()+i*300, 0.1, true)
	}
	runtime.ReadMemStats(&after)
	cells := 0
	for _, b := range c.pops["HKG62-C1"].blocks {
		cells += len(b.cells)
	}
	grown := after.HeapAlloc - before.HeapAlloc
	t.Logf("%d requests, each in its own 5-minute block: %d cells, %.1f MB (%.0f bytes a request)", n, cells, float64(grown)/1e6, float64(grown)/n)
	if cells != n || grown > 200*n {
		t.Errorf("%d cells and %d bytes for %d active seconds", cells, grown, n)
	}

	many := NewCounts()
	for i := range MaxPOPs + 10 {
		many.Add(fmt.Sprintf("%c%c%c%d-C1", 'A'+i%26, 'A'+i/26%26, 'A'+i/676%26, 50+i%40), start.Unix(), 0.1, true)
	}
	_, err := planFrom(many, nil)
	var tooMany *TooManyPOPsError
	if !errors.As(err, &tooMany) || tooMany.Requests != 10 || !strings.Contains(err.Error(), "--fields") || len(many.pops) != MaxPOPs {
		t.Errorf("%d POPs: %v", MaxPOPs+10, err)
	}

	in := "pop,second,requests\nHKG62-C1,1793527200,4294967295\nHKG62-C1,1793527200,4294967295\nHKG62-C1,1793527200,3\n"
	big, st, err := ReadCounts(strings.NewReader(in), time.Time{}, time.Time{})
	if err != nil || st.Bad != 0 {
		t.Fatal(st, err)
	}
	if s := big.pops["HKG62-C1"].seconds(); len(s) != 1 || s[0].n != 1<<33+1 {
		t.Errorf("seconds %+v", s)
	}
	// Played with simPerSecond requests, each standing for 2^21: the
	// first few on each host are cold.
	p, err := planFrom(big, nil)
	if err != nil || p.Requests != 1<<33+1 || p.POPs[0].Cold.Current <= 0 || p.POPs[0].Cold.Current > 0.01 {
		t.Errorf("a second of 2^33 + 1 requests: %v, %d requests, cold %g", err, p.Requests, p.POPs[0].Cold.Current)
	}
}

// FuzzAgents: any pattern is read or refused, and a pattern read matches
// any logged User-Agent without a panic; a glob matches the text it was
// made from.
func FuzzAgents(f *testing.F) {
	for _, s := range []string{"-", "=curl/8.5.0", "*bot*", "cfprewarm/* (prewarm;*", "a%2", "%%%", "?*?*"} {
		f.Add(s, "Mozilla/5.0%20(X11)")
	}
	f.Fuzz(func(t *testing.T, pattern, ua string) {
		a, err := parseAgents([]string{pattern})
		if err != nil {
			return
		}
		a.match([]byte(ua))
		if !strings.ContainsAny(pattern, "*?%") && !strings.HasPrefix(pattern, "=") && pattern != "-" && pattern != "" {
			if !a.match([]byte(pattern)) {
				t.Fatalf("%q does not match itself", pattern)
			}
		}
	})
}
