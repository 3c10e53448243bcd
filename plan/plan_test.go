package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/stats"
)

// traffic is six hours of five POPs with very different traffic.
func traffic() []arrival {
	const d = 6 * 3600
	var as []arrival
	as = append(as, simulate(11, "HKG62-C1", poisson(1.0/120), d, 16, 5, 0.24, 0.38)...) // rare
	as = append(as, simulate(12, "NRT57-P2", poisson(2), d, 16, 5, 0.16, 0.30)...)       // busy: mixed at 5 s
	as = append(as, simulate(13, "IAD89-C3", poisson(2), d, 16, 5, 0.03, 0.02)...)       // busy, near the origin
	as = append(as, simulate(14, "SIN52-C1", poisson(0.05), d, 16, 5, 0.10, 0.25)...)    // mid
	as = append(as, simulate(15, "GRU50-C1", bursts(1.0/900, 10, 5), d, 16, 5, 0.20, 0.25)...)
	return as
}

func TestMakeSelectsAndPrices(t *testing.T) {
	p, err := planFrom(counts(traffic()), nil)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]POP{}
	for _, pop := range p.POPs {
		byCode[pop.Code] = pop
	}
	hkg, nrt, iad, sin := byCode["HKG62-C1"], byCode["NRT57-P2"], byCode["IAD89-C3"], byCode["SIN52-C1"]
	if !hkg.Warm || hkg.Region != "ap-east-1" || hkg.Cold.Current < 0.95 || hkg.Cold.KeepAlive < 0.5 || hkg.PenaltyFrom != "pooled" {
		t.Errorf("rare HKG: %+v", hkg.Cold)
	}
	for _, busy := range []POP{nrt, iad} {
		if busy.Warm || busy.Cold.KeepAlive > 0.01 || !strings.Contains(busy.Why, "keep-alive alone") {
			t.Errorf("busy %s should be left to keep-alive alone: %+v, %s", busy.Code, busy.Cold, busy.Why)
		}
	}
	if nrt.PenaltyFrom != "logs" || math.Abs(nrt.Penalty.Float()-0.30) > 0.03 || math.Abs(iad.Penalty.Float()-0.02) > 0.01 {
		t.Errorf("penalties from the logs: NRT %.3f (%s), IAD %.3f (%s)", nrt.Penalty.Float(), nrt.PenaltyFrom, iad.Penalty.Float(), iad.PenaltyFrom)
	}
	if !sin.Warm || sin.Cold.Current <= sin.Cold.KeepAlive || sin.Cold.Prewarmed > 0.02 {
		t.Errorf("SIN: %+v", sin.Cold)
	}
	// HKG's requests per wave are the fewest that keep its viewers' cold
	// share within the target on the aligned grid of 58 s: a 60 s window
	// holds one wave 56/58 of the time, two 2/58, so with q = 15/16 the
	// cold share is (b) × (56/58·q^n + 2/58·q^2n), written here by hand.
	q := 15.0 / 16
	coldWith := func(n int) float64 {
		qn := math.Pow(q, float64(n))
		return hkg.Cold.KeepAlive * (56.0/58*qn + 2.0/58*qn*qn)
	}
	if n := hkg.RequestsPerWave; coldWith(n) > DefaultTargetCold || coldWith(n-1) <= DefaultTargetCold || math.Abs(hkg.Cold.Prewarmed-coldWith(n)) > 1e-12 {
		t.Errorf("HKG: %d requests per wave, cold %.5f (by hand %.5f; %.5f with one fewer)", n, hkg.Cold.Prewarmed, coldWith(n), coldWith(n-1))
		return
	}
	// HKG's own lines: n requests on every slot of the 58 s grid, 30 days
	// (2,592,000 s / 58 = 44,689.66 waves); the "ap" geography's $0.0120
	// per 10,000 requests and $0.120 per GB of 1,000-byte responses.
	requests := float64(hkg.RequestsPerWave) * 2592000 / 58
	if u, ch := hkg.Cost.Usage, hkg.Cost.Charges; math.Abs(u.Requests-requests) > 1e-6 || math.Abs(ch.Requests-requests/1e4*0.012) > 1e-9 ||
		math.Abs(ch.Data-requests*1000/(1<<30)*0.120) > 1e-9 {
		t.Errorf("HKG cost %+v, want %.0f requests", hkg.Cost, requests)
	}
	if hkg.Rank == 0 || hkg.GainPerDay <= 0 || hkg.RemovedPerDay < hkg.GainPerDay || !strings.HasPrefix(hkg.Why, "warmed: removes") {
		t.Errorf("HKG gains: %+v", hkg)
	}
	// One Lambda per region with POPs to warm, on the aligned grid (the
	// cheapest that meets the target): its invocations wait for their slots.
	regions := map[string][]string{}
	for _, g := range p.Groups {
		regions[g.Region] = g.POPs
		if g.Cost.Charges.Lambda <= 0 || g.Invocation.Float() < 30 || g.Kind != OptionAligned || g.Schedule.Period != 58*time.Second || !g.MeetsTarget {
			t.Errorf("group %+v", g)
		}
	}
	if !reflect.DeepEqual(regions["ap-east-1"], []string{"HKG62-C1"}) || !reflect.DeepEqual(regions["ap-southeast-1"], []string{"SIN52-C1"}) || regions["us-east-1"] != nil {
		t.Errorf("groups %+v", p.Groups)
	}
	// The comparison: the seed's one wave a minute leaves POPs cold when
	// the scheduler fires late; every option sized for the target meets it.
	opt := map[string]Option{}
	for _, o := range p.Options {
		opt[fmt.Sprintf("%s@%v", o.Name, o.KeepAlive.Float())] = o
	}
	plan, aligned, waves, seed, daemon, quota := opt["plan@60"], opt["aligned@60"], opt["waves@60"], opt["seed@60"], opt["daemon@60"], opt["aligned@180"]
	if !(plan.MeetsTarget && plan.WorstCold <= DefaultTargetCold && waves.MeetsTarget && !seed.MeetsTarget && seed.ColdShare > 0.05) {
		t.Errorf("cold shares: plan %.4f (worst %.4f) waves %.4f seed %.4f", plan.ColdShare, plan.WorstCold, waves.ColdShare, seed.ColdShare)
	}
	if !aligned.Chosen || plan.Cost.Total != aligned.Cost.Total || aligned.Cost.Total >= waves.Cost.Total || daemon.Cost.Charges.Lambda != 0 {
		t.Errorf("costs: plan %.2f aligned %.2f (chosen %v) waves %.2f, daemon's Lambda %.2f", plan.Cost.Total, aligned.Cost.Total, aligned.Chosen, waves.Cost.Total, daemon.Cost.Charges.Lambda)
	}
	if !quota.QuotaIncrease || quota.Cost.Usage.Requests >= aligned.Cost.Usage.Requests || !strings.Contains(quota.About, "quota increase") || aligned.QuotaIncrease {
		t.Errorf("the 180 s keep-alive: %+v", quota)
	}
	// No option but the seed leaves a gap over K − 2 s under EventBridge's
	// lateness (package schedule's model).
	for _, o := range p.Options {
		if o.Schedule == nil {
			continue
		}
		k := time.Duration(o.KeepAlive)
		if holds := o.Schedule.Holds(k, 2*time.Second); holds == (o.Kind == OptionSeed) {
			t.Errorf("%s at %v: longest gap %v (holds %v)", o.Name, k, o.Schedule.MaxGap(), holds)
		}
	}
	if math.Abs(p.Cost.Total-plan.Cost.Total) > 1e-9 {
		t.Errorf("the plan's bill %.4f, its row's %.4f", p.Cost.Total, plan.Cost.Total)
	}
}

func TestMakeThresholdsAndHostsFile(t *testing.T) {
	c := counts(traffic())
	p, err := planFrom(c, func(c *Config) { c.MinGain = 1000 * time.Hour })
	if err != nil || len(p.Selected()) != 0 || len(p.Groups) != 0 {
		t.Errorf("an impossible --min-gain still selected %d POPs (%v)", len(p.Selected()), err)
	}
	p, _ = planFrom(c, func(c *Config) { c.MaxPOPs = 1 })
	if s := p.Selected(); len(s) != 1 || s[0].Rank != 1 {
		t.Errorf("--max-pops 1: %+v", s)
	}
	p, _ = planFrom(c, func(c *Config) { c.HostsByPOP = map[string]edgehosts.Estimate{"HKG62-C1": {POP: "HKG62-C1", Hosts: 4}} })
	for _, pop := range p.POPs {
		// 4 hosts: HKG needs fewer requests per wave than with 16.
		if pop.Code == "HKG62-C1" && (pop.Hosts != 4 || pop.HostsFrom != "hosts-file" || pop.RequestsPerWave > 25) {
			t.Errorf("hosts file: %+v", pop)
		}
	}
	bad := DefaultConfig()
	bad.MinCoverage, bad.Hosts, bad.KeepAlive, bad.TargetCold, bad.Metrics = 1, -1, time.Millisecond, 0, "some"
	if err := bad.Validate(); err == nil ||
		!strings.Contains(err.Error(), "coverage") || !strings.Contains(err.Error(), "hosts -1") ||
		!strings.Contains(err.Error(), "target cold share 0") || !strings.Contains(err.Error(), `metric level "some"`) {
		t.Errorf("validate: %v", err)
	}
}

// TestCountsPathSamePlan writes six hours of logs (viewer sessions,
// single requests, bursts, and prewarm requests), plans from them, then
// plans from the per-second counts that docs/plan.md's Athena query
// computes from the same logs (built here from the log lines, as the SQL
// does: the arrival second, the gap to the previous request of the same
// c-ip, c-port and POP up to 60 s, the prewarm flag from the User-Agent):
// the two plans agree. No session crosses an hour, so that no viewer
// connection is split over two files (the reader groups within a file, the
// query over all).
func TestCountsPathSamePlan(t *testing.T) {
	const d = 6 * 3600
	rng := rand.New(rand.NewPCG(3, 4))
	var ss []session
	for _, x := range []struct {
		pop string
		sh  shape
	}{
		{"HKG62-C1", singles(1.0 / 120)}, {"NRT57-P2", sessions(0.5, 4, 1.5)}, {"IAD89-C3", singles(2)},
		{"SIN52-C1", sessions(0.02, 5, 2)}, {"GRU50-C1", burstsOf(1.0/900, 10, 1)}, {"SIN52-C1", singles(1.0 / 40)},
	} {
		ss = append(ss, x.sh(rng, x.pop, d)...)
	}
	for at := 30.0; at < d; at += 40 {
		for range 8 {
			ss = append(ss, session{pop: "SIN52-C1", start: at + rng.Float64()*0.05, n: 1, prewarm: true})
		}
	}
	var as []played
	for _, p := range playPools(5, ss, 16, 5, 0.15, 0.3, false) {
		if hour := func(x float64) int64 { return int64((x) / 3600) }; hour(p.t) == hour(p.t+p.ttfb) && int64(p.t)%3600 < 3500 {
			as = append(as, p)
		}
	}
	dir := writeLogs(t, as)
	fromLogs, sum, err := FromLogs(context.Background(), accesslog.Config{Inputs: []string{dir}}, DefaultConfig().Traffic)
	if err != nil || sum.Records != int64(len(as)) || sum.Bad != 0 {
		t.Fatalf("read %d of %d records, %d bad: %v", sum.Records, len(as), sum.Bad, err)
	}

	// What the query does, from the log lines: the arrival second, the
	// gap, the prewarm flag; then GROUP BY pop, second, gap, prewarm.
	type line struct {
		pop         string
		sec         int64
		port        int
		prewarm     bool
		ttfb, taken float64
	}
	var lines []line
	for _, p := range as {
		end := start.Add(time.Duration((p.t + p.ttfb) * float64(time.Second))).Unix()
		lines = append(lines, line{p.pop, int64(math.Floor(float64(end) + 0.5 - p.ttfb)), p.port, p.prewarm, p.ttfb, p.ttfb})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].sec < lines[j].sec })
	type conn struct {
		pop  string
		port int
	}
	type key struct {
		pop     string
		sec     int64
		gap     int64
		prewarm bool
	}
	prev := map[conn]int64{}
	agg := map[key]*[5]float64{}
	for _, l := range lines {
		c := conn{l.pop, l.port}
		gap := int64(-1)
		if p, ok := prev[c]; ok && l.sec-p <= 60 {
			gap = l.sec - p
		}
		prev[c] = l.sec
		k := key{l.pop, l.sec, gap, l.prewarm}
		if agg[k] == nil {
			agg[k] = new([5]float64)
		}
		agg[k][0]++
		agg[k][1]++
		agg[k][2] += l.ttfb
		agg[k][3]++
		agg[k][4] += l.ttfb
	}
	var rows []string
	for k, v := range agg {
		gap, pre := "", "0"
		if k.gap >= 0 {
			gap = fmt.Sprint(k.gap)
		}
		if k.prewarm {
			pre = "1"
		}
		rows = append(rows, fmt.Sprintf(`"%s","%d","%d","%d","%.6f","%s","%s","%d","%.6f"`, k.pop, k.sec, int(v[0]), int(v[1]), v[2], gap, pre, int(v[3]), v[4]))
	}
	sort.Strings(rows)
	csv := `"pop","second","requests","ttfb_n","ttfb_sum","gap","prewarm","busy_n","busy_sum"` + "\n" + strings.Join(rows, "\n") + "\n"
	fromCounts, st, err := ReadCounts(strings.NewReader(csv), time.Time{}, time.Time{})
	if err != nil || st.Bad != 0 || st.Rows != int64(len(rows)) {
		t.Fatalf("counts: %+v %v", st, err)
	}

	a, err := planFrom(fromLogs, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := planFrom(fromCounts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != "logs" || b.Source != "counts" {
		t.Errorf("sources %q %q", a.Source, b.Source)
	}
	if a.POPs[0].TTFBP50 == 0 || b.POPs[0].TTFBP50 != 0 {
		t.Errorf("percentiles: logs %v, counts %v (a counts file has none)", a.POPs[0].TTFBP50, b.POPs[0].TTFBP50)
	}
	if a.Seen.Continued == 0 || a.PrewarmRequests == 0 || a.Seen.TimeTaken == 0 || b.Seen.TimeTaken != 0 {
		t.Errorf("the test needs connections, prewarm requests and time-taken in the logs: %+v; counts %+v", a.Seen, b.Seen)
	}
	for i := range a.POPs {
		a.POPs[i].TTFBP50, a.POPs[i].TTFBP90 = 0, 0
	}
	// The logs tell the responses' size (sc-bytes), a counts file does
	// not: the logs' mean is the default here, so the bills agree.
	if a.ResponseBytes != 1000 || a.ResponseBytesFrom != ResponseBytesLogs || b.ResponseBytes != DefaultResponseBytes || b.ResponseBytesFrom != ResponseBytesDefault {
		t.Errorf("response bytes: logs %d (%s), counts %d (%s)", a.ResponseBytes, a.ResponseBytesFrom, b.ResponseBytes, b.ResponseBytesFrom)
	}
	a.ResponseBytesFrom = b.ResponseBytesFrom
	a.Source = b.Source
	// What the input was (the aggregate, the names the logs give, what it
	// told: a counts file cannot say which requests had a time-taken, and
	// its assumptions are written for a counts file) differs.
	a.Counts, b.Counts, a.Target, b.Target = nil, nil, Target{}, Target{}
	a.Seen.TimeTaken, a.Assumptions, b.Assumptions = 0, nil, nil
	if diff := compareJSONish(*a, *b); diff != "" {
		t.Errorf("plans differ: %s", diff)
	}
	if len(a.Selected()) < 2 {
		t.Errorf("the plan warms %d POPs: the comparison is too easy", len(a.Selected()))
	}
}

// compareJSONish compares two plans field by field, numbers to 1e-9
// relative (durations to that or their resolution, a nanosecond).
func compareJSONish(a, b any) string {
	return compareValues(reflect.ValueOf(a), reflect.ValueOf(b), "plan")
}

func compareValues(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if d := compareValues(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d vs %d elements", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := compareValues(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.Float64:
		x, y := a.Float(), b.Float()
		if math.Abs(x-y) > 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y))) {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
	case reflect.Int64:
		x, y := a.Int(), b.Int()
		if a.Type() == reflect.TypeFor[stats.Seconds]() && math.Abs(float64(x-y)) <= max(1, 1e-9*math.Max(math.Abs(float64(x)), math.Abs(float64(y)))) {
			return ""
		}
		if x != y {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
	default:
		if a.CanInterface() && !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
		}
	}
	return ""
}

func TestReadCountsBadRows(t *testing.T) {
	in := "x_edge_location,second,requests\n" +
		"HKG62-C1,1793527200,3\n" +
		"nowhere,1793527201,1\n" +
		"HKG62-C1,yesterday,1\n" +
		"HKG62-C1,1793527202,-4\n" +
		"\"HKG62-C1,1793527203\n"
	c, st, err := ReadCounts(strings.NewReader(in), time.Time{}, time.Time{})
	if err != nil || st.Rows != 5 || st.Bad != 4 || len(st.Examples) != 3 {
		t.Fatalf("%+v %v", st, err)
	}
	if got := c.pops["HKG62-C1"].seconds(); len(got) != 1 || got[0].n != 3 {
		t.Errorf("seconds %+v", got)
	}
	if _, _, err := ReadCounts(strings.NewReader("a,b\n1,2\n"), time.Time{}, time.Time{}); err == nil || !strings.Contains(err.Error(), "no pop column") {
		t.Errorf("header without the columns: %v", err)
	}
}

func TestPricesOverride(t *testing.T) {
	p, err := ReadPrices(strings.NewReader(`{"cloudfront_https_per_10000":{"ap":0.05},"date":"2027-01"}`))
	if err != nil || p.CloudFrontPer10000["ap"] != 0.05 || p.CloudFrontPer10000["na"] != 0.01 || p.Date != "2027-01" || p.LambdaGBSecond == 0 {
		t.Errorf("override: %+v %v", p, err)
	}
	if _, err := ReadPrices(strings.NewReader(`{"cloudfront":1}`)); err == nil {
		t.Error("an unknown key was accepted")
	}
	for code, a := range Airports {
		if _, ok := DefaultPrices().CloudFrontPer10000[a.Geography]; !ok || a.Region == "" {
			t.Errorf("airport %s: geography %q has no price or no region", code, a.Geography)
		}
	}
}

// FuzzReadCounts: a counts file of any content never panics, and every
// row is either used or counted bad.
func FuzzReadCounts(f *testing.F) {
	f.Add("pop,second,requests,ttfb_n,ttfb_sum\nHKG62-C1,1793527200,3,3,0.9\n")
	f.Add("\"x_edge_location\",\"second\",\"requests\"\n\"NRT57-P2\",\"1.7935272E9\",\"1\"\n")
	f.Add("pop,second,requests,ttfb_sum\nHKG62-C1,1,1,NaN\nHKG62-C1,1,1,1e400\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, st, err := ReadCounts(strings.NewReader(in), time.Time{}, time.Time{})
		if err != nil {
			return
		}
		var n int64
		for _, s := range c.pops {
			n += int64(len(s.seconds()))
		}
		if n > st.Rows-st.Bad || st.Bad > st.Rows {
			t.Fatalf("%d seconds from %d rows, %d bad", n, st.Rows, st.Bad)
		}
	})
}

// TestMinGainPerDollarOnReportedCost: --min-gain-per-dollar judges the
// cost a POP is reported with (its share of its region's Lambda, the
// billed duration and invocations included), and the why texts quote the
// numbers the table shows.
func TestMinGainPerDollarOnReportedCost(t *testing.T) {
	c := counts(traffic())
	p0, err := planFrom(c, func(c *Config) { c.MinGainPerDollar = 0 })
	if err != nil {
		t.Fatal(err)
	}
	sel := p0.Selected()
	if len(sel) < 2 {
		t.Fatalf("%d POPs selected: the test needs two", len(sel))
	}
	worst := sel[0]
	for _, pop := range sel {
		if pop.GainPerDollar < worst.GainPerDollar {
			worst = pop
		}
	}
	min := worst.GainPerDollar * 1.001
	p, err := planFrom(c, func(c *Config) { c.MinGainPerDollar = min })
	if err != nil {
		t.Fatal(err)
	}
	checkCosts := func(p *Plan) {
		t.Helper()
		for _, pop := range p.POPs {
			if pop.Region == "" {
				continue
			}
			if want := pop.GainPerDay.Float() * 30 / pop.Cost.Total; math.Abs(pop.GainPerDollar-want) > 1e-9*want {
				t.Errorf("%s: gain per dollar %v, but gain × 30 / cost = %v", pop.Code, pop.GainPerDollar, want)
			}
			quotes := fmt.Sprintf("for $%.2f a month, %.0f s per dollar", pop.Cost.Total, pop.GainPerDollar)
			if (pop.Warm || strings.Contains(pop.Why, "below --min-gain-per-dollar")) && !strings.Contains(pop.Why, quotes) {
				t.Errorf("%s: why %q does not quote its cost and gain per dollar (%q)", pop.Code, pop.Why, quotes)
			}
		}
		// A Lambda's bill is its POPs' bills: their own lines and their
		// shares of the Lambda's.
		for _, g := range p.Groups {
			var sum Cost
			for _, pop := range p.Selected() {
				if pop.Region == g.Region {
					sum = sum.add(pop.Cost)
					if pop.RequestsPerWave != g.RequestsPerWave {
						t.Errorf("%s: %d requests per wave, its Lambda sends %d", pop.Code, pop.RequestsPerWave, g.RequestsPerWave)
					}
				}
			}
			if math.Abs(sum.Total-g.Cost.Total) > 1e-9 || math.Abs(sum.Charges.Lambda-g.Cost.Charges.Lambda) > 1e-9 || math.Abs(sum.Usage.Invocations-g.Cost.Usage.Invocations) > 1e-6 {
				t.Errorf("%s: its POPs' bills add up to %+v of %+v", g.Region, sum, g.Cost)
			}
		}
	}
	checkCosts(p0)
	checkCosts(p)
	for _, pop := range p.POPs {
		if pop.Warm && pop.GainPerDollar < min {
			t.Errorf("%s is warmed at %.1f s per dollar, below --min-gain-per-dollar %.1f", pop.Code, pop.GainPerDollar, min)
		}
		if pop.Code == worst.Code && (pop.Warm || !strings.Contains(pop.Why, "below --min-gain-per-dollar")) {
			t.Errorf("%s (%.1f s per dollar in the plan without the threshold) passed --min-gain-per-dollar %.1f: %s", pop.Code, worst.GainPerDollar, min, pop.Why)
		}
	}
	if len(p.Selected()) == 0 {
		t.Error("the threshold just above the worst POP dropped them all")
	}
}

// TestMinGainZero: MinGain 0 (the CLI's --min-gain 0) warms a POP however
// little prewarming gains it, as MinCold 0 does for the cold share; the
// default is DefaultMinGain.
func TestMinGainZero(t *testing.T) {
	as := append(traffic(), simulate(16, "FRA56-P3", poisson(1.0/3600), 6*3600, 16, 5, 0.02, 0.01)...)
	c := counts(as)
	fra := func(p *Plan) POP {
		for _, pop := range p.POPs {
			if pop.Code == "FRA56-P3" {
				return pop
			}
		}
		t.Fatal("no FRA56-P3")
		return POP{}
	}
	def, err := planFrom(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pop := fra(def); pop.Warm || pop.GainPerDay <= 0 || pop.GainPerDay.Float() >= DefaultMinGain.Seconds() || def.MinGain.Float() != DefaultMinGain.Seconds() {
		t.Fatalf("default: FRA gains %.2f s/day, warm %v (%s); min gain %v", pop.GainPerDay.Float(), pop.Warm, pop.Why, def.MinGain)
	}
	none, err := planFrom(c, func(c *Config) { c.MinGain, c.MinGainPerDollar = 0, 0 })
	if err != nil {
		t.Fatal(err)
	}
	if pop := fra(none); !pop.Warm || none.MinGain != 0 {
		t.Errorf("no minimum gain: FRA (%.2f s/day) not warmed: %s; min gain %v", pop.GainPerDay.Float(), pop.Why, none.MinGain)
	}
	negative := DefaultConfig()
	negative.MinGain = -2 * time.Second
	if err := negative.Validate(); err == nil {
		t.Error("a negative minimum gain was accepted")
	}
}

// TestTTFBOutOfRange: a time-to-first-byte beyond accesslog.MaxTTFB (or
// NaN, or negative) is left out of the aggregate, never converted to an
// undefined number of microseconds; a counts file's row with such a sum
// is a bad row.
func TestTTFBOutOfRange(t *testing.T) {
	c := NewCounts()
	for _, v := range []float64{1e300, math.NaN(), math.Inf(1), -1, 3600.5} {
		c.Add("HKG62-C1", 1793527200, v, true)
	}
	c.Add("HKG62-C1", 1793527200, 0.25, true)
	c.AddSecond("NRT57-P2", 1793527200, 2, 2, 1e300)
	c.AddSecond("NRT57-P2", 1793527201, 2, 5, 0.5)
	h := c.pops["HKG62-C1"].seconds()
	n := c.pops["NRT57-P2"].seconds()
	if len(h) != 1 || h[0].n != 6 || h[0].ttfbN != 1 || h[0].ttfbUS != 250_000 {
		t.Errorf("HKG: %+v, want 6 requests, one time-to-first-byte of 250 ms", h)
	}
	if len(n) != 2 || n[0].n != 2 || n[0].ttfbN != 0 || n[0].ttfbUS != 0 || n[1].ttfbN != 2 || n[1].ttfbUS != 500_000 {
		t.Errorf("NRT: %+v", n)
	}
	in := "pop,second,requests,ttfb_n,ttfb_sum\n" +
		"HKG62-C1,1793527200,2,2,0.5\n" +
		"HKG62-C1,1793527201,2,2,1e300\n" +
		"HKG62-C1,1793527202,2,1,3601\n" +
		"HKG62-C1,1793527203,2,0,0.1\n" +
		"HKG62-C1,1793527204,2,2,7200\n"
	c, st, err := ReadCounts(strings.NewReader(in), time.Time{}, time.Time{})
	if err != nil || st.Rows != 5 || st.Bad != 3 {
		t.Fatalf("%+v %v", st, err)
	}
	if s := c.pops["HKG62-C1"].seconds(); len(s) != 2 || s[1].ttfbUS != 7_200_000_000 {
		t.Errorf("seconds %+v", s)
	}
}

// TestMergeCountsFile: merging counts without single requests (a counts
// file's) into logs' counts drops every POP's percentiles, not only the
// merged POPs'.
func TestMergeCountsFile(t *testing.T) {
	c := NewCounts()
	c.Add("HKG62-C1", 1793527200, 0.25, true)
	o := NewCounts()
	o.AddSecond("NRT57-P2", 1793527200, 3, 3, 0.6)
	c.Merge(o)
	if c.fromLogs || c.pops["HKG62-C1"].hist != nil || c.pops["NRT57-P2"].hist != nil {
		t.Errorf("after merging a counts file: from logs %v, HKG histogram %v", c.fromLogs, c.pops["HKG62-C1"].hist != nil)
	}
}

// TestReadCountsPeriod: rows outside from ≤ second < to are left out and
// counted, as the log reader's filter leaves lines out.
func TestReadCountsPeriod(t *testing.T) {
	in := "pop,second,requests\nHKG62-C1,1793527199,1\nHKG62-C1,1793527200,2\nHKG62-C1,1793527259,3\nHKG62-C1,1793527260,4\n"
	from, to := time.Unix(1793527200, 0), time.Unix(1793527260, 0)
	c, st, err := ReadCounts(strings.NewReader(in), from, to)
	if err != nil || st.Rows != 4 || st.Filtered != 2 || st.Bad != 0 {
		t.Fatalf("%+v %v", st, err)
	}
	if s := c.pops["HKG62-C1"].seconds(); len(s) != 2 || s[0].n != 2 || s[1].n != 3 {
		t.Errorf("seconds %+v", s)
	}
	// A from inside a second leaves that second out.
	if _, st, _ := ReadCounts(strings.NewReader(in), from.Add(time.Millisecond), time.Time{}); st.Filtered != 2 {
		t.Errorf("from %v: %+v", from.Add(time.Millisecond), st)
	}
}

// FuzzReadPrices: a prices file of any content never panics, and one that
// is read gives finite, non-negative prices with every default geography
// still priced.
func FuzzReadPrices(f *testing.F) {
	f.Add(`{"cloudfront_https_per_10000":{"ap":0.05},"date":"2027-01"}`)
	f.Add(`{"lambda_gb_second":-1}`)
	f.Add(`{"cloudfront_https_per_10000":{"sa":1e308},"lambda_per_million_requests":0.2}`)
	f.Add(`{"geographies":{"xx":"Nowhere"},"currency":"EUR"}`)
	f.Add(string(pricesJSON))
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ReadPrices(strings.NewReader(in))
		if err != nil {
			return
		}
		for k, v := range p.CloudFrontPer10000 {
			if !(v >= 0 && v <= maxPrice) {
				t.Fatalf("geography %q priced %v", k, v)
			}
		}
		for g := range DefaultPrices().CloudFrontPer10000 {
			if _, ok := p.CloudFrontPer10000[g]; !ok {
				t.Fatalf("geography %q lost its price", g)
			}
		}
		if !(p.LambdaGBSecond > 0 && p.LambdaGBSecond <= maxPrice && p.LambdaPerMillion > 0 && p.LambdaPerMillion <= maxPrice) {
			t.Fatalf("Lambda prices %v, %v", p.LambdaGBSecond, p.LambdaPerMillion)
		}
	})
}

// TestRunInput: Run refuses an input with no source or two, and a target
// that is no distribution domain, before reading anything (one
// *config.Error with the configuration's problems); logs without a usable
// request are a *NoRequestsError with the reader's summary; names the
// target leaves empty come from the logs, the given ones stay.
func TestRunInput(t *testing.T) {
	ctx := context.Background()
	c := counts(traffic())
	bad := DefaultConfig()
	bad.Hosts = 0
	for _, tc := range []struct {
		in   Input
		cfg  Config
		want []string
	}{
		{Input{}, DefaultConfig(), []string{"0 inputs"}},
		{Input{Counts: c, CountsFile: strings.NewReader("pop,second,requests\n")}, DefaultConfig(), []string{"2 inputs"}},
		{Input{Counts: c, Target: Target{Distribution: "api.example.com"}}, bad, []string{"hosts 0", "distribution"}},
		{Input{Counts: c, From: start, To: start}, DefaultConfig(), []string{"the end must come after the start"}},
	} {
		p, err := Run(ctx, tc.in, tc.cfg)
		if !errors.Is(err, config.ErrInvalid) || p != nil {
			t.Errorf("%+v: %v, want an invalid configuration", tc.in, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v lacks %q", err, w)
			}
		}
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "junk.log"), []byte("#Fields: date time x-edge-location\nnot a log\n"), 0o644)
	_, err := Run(ctx, Input{Logs: accesslog.Config{Inputs: []string{dir}}}, DefaultConfig())
	var none *NoRequestsError
	if !errors.As(err, &none) || none.Logs.Bad != 1 || len(none.Logs.Files) != 1 {
		t.Errorf("no usable line: %v", err)
	}

	logs := NewCounts()
	logs.Add("HKG62-C1", start.Unix(), 0.3, true)
	logs.addNames("d111111abcdef8.cloudfront.net", "api.example.com")
	for _, tc := range []struct {
		target, want Target
		prefixes     []string
	}{
		{Target{}, Target{"d111111abcdef8.cloudfront.net", "api.example.com", ""}, nil},
		{Target{Host: "www.example.com"}, Target{"d111111abcdef8.cloudfront.net", "www.example.com", "/api/"}, []string{"/api/"}},
		{Target{Distribution: "d222222abcdef8.cloudfront.net", Path: "/x"}, Target{"d222222abcdef8.cloudfront.net", "api.example.com", "/x"}, []string{"/a/", "/b/"}},
	} {
		if got := tc.target.named(logs, tc.prefixes); got != tc.want {
			t.Errorf("%+v with prefixes %q: %+v, want %+v", tc.target, tc.prefixes, got, tc.want)
		}
	}
}

// TestZeroMeansZero: a Config's 0 is 0, not the default: no minimum cold
// share, no minimum gain, no minimum gain per dollar (a POP keep-alive
// alone keeps nearly warm is warmed), no coverage floor (the target alone
// sizes the waves).
func TestZeroMeansZero(t *testing.T) {
	c := counts(traffic())
	tiny := func(c *Config) { c.TargetCold = 1e-6 } // below IAD's cold share with keep-alive alone
	def, err := planFrom(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	zero, err := planFrom(c, func(c *Config) { tiny(c); c.MinCold, c.MinGain, c.MinGainPerDollar, c.MinCoverage = 0, 0, 0, 0 })
	if err != nil {
		t.Fatal(err)
	}
	floor, err := planFrom(c, func(c *Config) { c.MinCoverage = 0.9999 })
	if err != nil {
		t.Fatal(err)
	}
	for _, pop := range floor.Selected() {
		if pop.Coverage < 0.9999 {
			t.Errorf("%s: coverage %.5f below the floor", pop.Code, pop.Coverage)
		}
	}
	plain, err := planFrom(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := plain.Selected(); plain.MinCoverage != 0 || len(sel) == 0 || sel[0].Coverage >= 0.9999 {
		t.Errorf("no coverage floor by default: %v, %+v", plain.MinCoverage, sel)
	}
	warm := func(p *Plan, code string) bool {
		for _, pop := range p.POPs {
			if pop.Code == code {
				return pop.Warm
			}
		}
		t.Fatalf("no %s", code)
		return false
	}
	if warm(def, "IAD89-C3") || !warm(zero, "IAD89-C3") || zero.MinCold != 0 {
		t.Errorf("IAD89-C3 (busy: keep-alive alone keeps it warm): warmed by default %v, with min cold 0 %v", warm(def, "IAD89-C3"), warm(zero, "IAD89-C3"))
	}
}
