package plan

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/schedule"
)

// rare is a week of one POP with a request every ten minutes on average
// (Poisson): keep-alive alone leaves nearly every request cold.
func rare(code string, seed uint64) []arrival {
	return simulate(seed, code, poisson(1.0/600), 7*86400, 8, 5, 0.10, 0.30)
}

// options indexes a plan's options by name and keep-alive: "aligned@60".
func options(p *Plan) map[string]Option {
	out := map[string]Option{}
	for _, o := range p.Options {
		out[fmt.Sprintf("%s@%v", o.Name, o.KeepAlive.Float())] = o
	}
	return out
}

// near says whether got is within 1e-9 (relative, or absolute near 0) of want.
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*max(1, math.Abs(want))
}

// TestBillByHand: the whole bill of one POP in Virginia (H = 8, the
// default prices, 128 MiB, 0.2 ms of CPU per request, 1,000-byte responses,
// lean metrics), line by line, against arithmetic written out here.
//
// Nearly every request of rare traffic is cold, so that its logs cannot
// tell the penalty (the robust fit declines): --origin-rtt gives the
// simulated 0.30 s, so that the POP passes and the options are priced.
func TestBillByHand(t *testing.T) {
	p, err := planFrom(counts(rare("IAD89-C3", 1)), func(c *Config) { c.Hosts, c.OriginRTT = 8, 150*time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if p.ResponseBytes != 1000 || p.ResponseBytesFrom != ResponseBytesDefault || p.Metrics != MetricsLean {
		t.Fatalf("response %d bytes from %s, metrics %s", p.ResponseBytes, p.ResponseBytesFrom, p.Metrics)
	}
	opts := options(p)
	check := func(name string, got Cost, want Charges) {
		t.Helper()
		g := got.Charges
		for _, l := range []struct {
			line      string
			got, want float64
		}{
			{"CloudFront requests", g.Requests, want.Requests}, {"CloudFront data", g.Data, want.Data},
			{"Lambda", g.Lambda, want.Lambda}, {"Scheduler", g.Scheduler, want.Scheduler}, {"rule events", g.Rules, want.Rules},
			{"metrics", g.Metrics, want.Metrics}, {"alarms", g.Alarms, want.Alarms}, {"dashboards", g.Dashboards, want.Dashboards},
			{"logs", g.Logs, want.Logs}, {"total", got.Total, want.Total()},
		} {
			if !near(l.got, l.want) {
				t.Errorf("%s: %s $%.6f, by hand $%.6f", name, l.line, l.got, l.want)
			}
		}
	}
	const gb = 1 << 30

	// The seed: 60 requests once a minute from a plain rule.
	// 30 days = 43,200 invocations and waves; 2,592,000 requests:
	//   CloudFront requests  2,592,000 / 10,000 × $0.0100          = $2.592
	//   CloudFront data      2,592,000 × 1,000 B / 2^30 × $0.085    = 2.413988 GB → $0.205189
	//   Lambda               one wave: 60 × 0.2 ms / (128/1769 vCPU) + 1 s = 1.165844 s
	//                        43,200 × 1.165844 s × 0.125 GB × $0.0000133334 + 43,200 × $0.20/M
	//   rule events          43,200 × $0
	//   metrics              lean: 1 per POP (OriginColdRatio) + 5 per region = 6 × $0.30 = $1.80
	//   alarms               1 per POP + 5 per region = 6 × $0.10 = $0.60
	//   dashboards           1 × $3.00
	//   logs                 43,200 × (1,100 B of EMF + 700 B of Lambda's lines) / 2^30 × $0.50
	wave := 60*0.0002/(128.0/1769) + 1
	check("seed", opts["seed@60"].Cost, Charges{
		Requests: 2592000 / 1e4 * 0.0100, Data: 2592000 * 1000.0 / gb * 0.085,
		Lambda:  43200*wave*0.125*0.0000133334 + 43200*0.20/1e6,
		Metrics: 6 * 0.30, Alarms: 6 * 0.10, Dashboards: 3, Logs: 43200 * 1800.0 / gb * 0.50,
	})

	// The aligned Lambda: n requests on every slot of the 58 s grid,
	// 2,592,000 / 58 = 44,689.66 waves; 43,200 invocations, each billed
	// from its start to its last slot's wave (schedule's mean, its waits
	// included), each from EventBridge Scheduler at $1.00 per million.
	al := opts["aligned@60"]
	n := float64(al.RequestsPerWave)
	waves := 2592000.0 / 58
	billed := schedule.AlignedPer(1, 60*time.Second, schedule.DefaultMargin).Billed(time.Duration((n*0.0002/(128.0/1769) + 1) * float64(time.Second))).Mean.Seconds()
	check("aligned", al.Cost, Charges{
		Requests: n * waves / 1e4 * 0.0100, Data: n * waves * 1000 / gb * 0.085,
		Lambda:    43200*billed*0.125*0.0000133334 + 43200*0.20/1e6,
		Scheduler: 43200 * 1.00 / 1e6,
		Metrics:   6 * 0.30, Alarms: 6 * 0.10, Dashboards: 3, Logs: (waves*1100 + 43200*700) / gb * 0.50,
	})
	if billed < 30 || billed > 130 {
		t.Errorf("the aligned Lambda is billed %.1f s per invocation: want its wait for its slot", billed)
	}

	// The daemon: CloudFront only (no Lambda, scheduler or CloudWatch;
	// the host it runs on is not counted), one wave every 58 s.
	d := opts["daemon@60"]
	check("daemon", d.Cost, Charges{Requests: float64(d.RequestsPerWave) * waves / 1e4 * 0.0100, Data: float64(d.RequestsPerWave) * waves * 1000 / gb * 0.085})

	// The waves Lambda: 3 waves 44 s apart per invocation, billed
	// 2 × 44 s + one wave each time.
	w := opts["waves@60"]
	nw := float64(w.RequestsPerWave)
	if w.Schedule == nil || w.Schedule.Waves != 3 || w.Schedule.Interval != 44*time.Second {
		t.Fatalf("waves: %+v", w.Schedule)
	}
	check("waves", w.Cost, Charges{
		Requests: nw * 129600 / 1e4 * 0.0100, Data: nw * 129600 * 1000 / gb * 0.085,
		Lambda:  43200*(88+nw*0.0002/(128.0/1769)+1)*0.125*0.0000133334 + 43200*0.20/1e6,
		Metrics: 6 * 0.30, Alarms: 6 * 0.10, Dashboards: 3, Logs: (129600*1100.0 + 43200*700) / gb * 0.50,
	})

	// Full metrics: 7 per POP + 5 per region, 1,200-byte EMF lines.
	full, err := planFrom(counts(rare("IAD89-C3", 1)), func(c *Config) { c.Hosts, c.Metrics, c.OriginRTT = 8, MetricsFull, 150*time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if s := options(full)["seed@60"].Cost; !near(s.Charges.Metrics, 12*0.30) || !near(s.Charges.Logs, 43200*1900.0/gb*0.50) || !near(s.Usage.Metrics, 12) {
		t.Errorf("full metrics: %+v", s)
	}

	// A price of 0 given in a prices file is 0: no dashboard charge.
	pr, err := ReadPrices(strings.NewReader(`{"cloudwatch_dashboard_month": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	free, err := planFrom(counts(rare("IAD89-C3", 1)), func(c *Config) { c.Hosts, c.Prices, c.OriginRTT = 8, pr, 150*time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if s, seed := options(free)["seed@60"].Cost, opts["seed@60"].Cost; s.Charges.Dashboards != 0 || !near(s.Total, seed.Total-3) {
		t.Errorf("no dashboard price: %+v", s)
	}
}

// TestTargetsH8 checks the targets for a POP of 8 edge hosts whose
// viewers are almost all cold without prewarming: billed prewarm requests
// per POP-month at most the seed's 2.59 M with K = 60 s and a predicted cold
// share of at most 0.002, and at most 0.9 M with K = 180 s; the seed's own
// once-a-minute wave leaves 0.13–0.19 cold under the same model (0.19 for
// a POP whose every request would be cold: the share of time the
// EventBridge lateness, up to 70 s, leaves without a wave in the last 60 s).
func TestTargetsH8(t *testing.T) {
	p, err := planFrom(counts(rare("HKG62-C1", 2)), func(c *Config) { c.Hosts, c.MinGainPerDollar, c.OriginRTT = 8, 0, 150*time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if len(p.POPs) != 1 || !p.POPs[0].Warm || p.POPs[0].Cold.KeepAlive < 0.85 {
		t.Fatalf("%+v", p.POPs)
	}
	opts := options(p)
	a60, a180, seed, w60 := opts["aligned@60"], opts["aligned@180"], opts["seed@60"], opts["waves@60"]
	t.Logf("H = 8, cold with keep-alive alone %.3f: aligned K=60 s: %d req/wave, %.2f M req/month, cold %.5f; K=180 s: %d req/wave, %.2f M, cold %.5f; waves K=60 s: %.2f M; seed %.2f M, cold %.3f",
		p.POPs[0].Cold.KeepAlive, a60.RequestsPerWave, a60.Cost.Usage.Requests/1e6, a60.WorstCold, a180.RequestsPerWave, a180.Cost.Usage.Requests/1e6, a180.WorstCold,
		w60.Cost.Usage.Requests/1e6, seed.Cost.Usage.Requests/1e6, seed.WorstCold)
	if a60.Cost.Usage.Requests > 2.592e6 || !a60.MeetsTarget || a60.WorstCold > 0.002 {
		t.Errorf("K = 60 s: %.0f requests a month, cold %.5f", a60.Cost.Usage.Requests, a60.WorstCold)
	}
	if a180.Cost.Usage.Requests > 0.9e6 || !a180.MeetsTarget || !a180.QuotaIncrease {
		t.Errorf("K = 180 s: %.0f requests a month, cold %.5f", a180.Cost.Usage.Requests, a180.WorstCold)
	}
	if seed.Cost.Usage.Requests != 2592000 || seed.WorstCold < 0.13 || seed.WorstCold > 0.2 || seed.MeetsTarget {
		t.Errorf("seed: %.0f requests a month, cold %.4f", seed.Cost.Usage.Requests, seed.WorstCold)
	}
	if g := p.Groups[0]; g.Kind != OptionAligned || g.Schedule.Period != 58*time.Second || g.RequestsPerWave != a60.RequestsPerWave {
		t.Errorf("the plan's Lambda: %+v", g)
	}
}

// TestTwoSmallerWaves: when one wave per keep-alive cannot reach the target
// within the engine's limit of requests per wave (a POP of 200 hosts needs
// about 1,240 requests per keep-alive), the plan takes two waves per
// keep-alive of half as many: the aligned grid of 29 s.
func TestTwoSmallerWaves(t *testing.T) {
	p, err := planFrom(counts(rare("HKG62-C1", 3)), func(c *Config) {
		c.HostsByPOP = map[string]edgehosts.Estimate{"HKG62-C1": {POP: "HKG62-C1", Hosts: 200}}
		c.MinGainPerDollar, c.OriginRTT = 0, 150*time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := options(p)
	one, two := opts["aligned@60"], opts["aligned ×2@60"]
	if one.MeetsTarget || one.RequestsPerWave != edgehosts.MaxRequestsPerPOP || !two.MeetsTarget || two.RequestsPerWave >= edgehosts.MaxRequestsPerPOP || !two.Chosen {
		t.Fatalf("one wave per keep-alive: %d requests, meets %v; two: %d, meets %v, chosen %v", one.RequestsPerWave, one.MeetsTarget, two.RequestsPerWave, two.MeetsTarget, two.Chosen)
	}
	if g := p.Groups[0]; g.Schedule.Period != 29*time.Second || !g.MeetsTarget || p.POPs[0].Cold.Prewarmed > DefaultTargetCold {
		t.Errorf("the plan's Lambda: %+v, cold %.5f", g, p.POPs[0].Cold.Prewarmed)
	}
	// A target no option reaches: the closest is taken, and the POP's
	// sentence says so.
	p, err = planFrom(counts(rare("HKG62-C1", 3)), func(c *Config) {
		c.HostsByPOP = map[string]edgehosts.Estimate{"HKG62-C1": {POP: "HKG62-C1", Hosts: 200}}
		c.MinGainPerDollar, c.TargetCold, c.OriginRTT = 0, 1e-9, 150*time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	if pop := p.POPs[0]; !pop.Warm || p.Groups[0].MeetsTarget || !strings.Contains(pop.Why, "above --target-cold") {
		t.Errorf("unreachable target: %+v %s", p.Groups[0], pop.Why)
	}
}

// pop returns the POP of a plan with the code.
func pop(t *testing.T, p *Plan, code string) POP {
	t.Helper()
	for _, pop := range p.POPs {
		if pop.Code == code {
			return pop
		}
	}
	t.Fatalf("no %s in the plan", code)
	return POP{}
}

// TestValueForMoney: by default a POP is warmed only when each dollar of
// its monthly bill removes at least 180 s of viewer waiting (an hour of
// waiting removed for at most $20), and its sentence says so, quoting the
// numbers; with the threshold at 0 the same POP is warmed.
func TestValueForMoney(t *testing.T) {
	// A POP near its origin: a cold request costs 20 ms, so warming it
	// removes little waiting for a whole Lambda's bill.
	c := counts(simulate(4, "FRA56-P3", poisson(1.0/60), 7*86400, 16, 5, 0.02, 0.02))
	nearOrigin := func(c *Config) { c.OriginRTT = 10 * time.Millisecond }
	def, err := planFrom(c, nearOrigin)
	if err != nil {
		t.Fatal(err)
	}
	fra := pop(t, def, "FRA56-P3")
	if def.MinPerDollar != 180 || fra.Warm || fra.GainPerDollar >= 180 || fra.GainPerDollar <= 0 || len(def.Groups) != 0 {
		t.Fatalf("default: FRA warm %v at %.0f s per dollar (%s)", fra.Warm, fra.GainPerDollar, fra.Why)
	}
	want := fmt.Sprintf("not warmed: prewarming would remove %s of waiting a day for $%.2f a month, %.0f s per dollar, below --min-gain-per-dollar 180: $20.00 per hour of waiting removed",
		words(fra.GainPerDay.Float()), fra.Cost.Total, fra.GainPerDollar)
	if fra.Why != want {
		t.Errorf("why:\n got %s\nwant %s", fra.Why, want)
	}
	// Its bill is what warming it would take: its own lines and a whole
	// Lambda (it would be alone in eu-central-1).
	if fra.Cost.Usage.Invocations != 43200 || fra.Cost.Charges.Dashboards != 3 || fra.RequestsPerWave == 0 {
		t.Errorf("FRA's bill: %+v", fra.Cost)
	}
	// With no POP warmed, the options say what warming the POPs that fail
	// only for the cost would take: FRA's own bill on the aligned grid.
	if a, ok := def.Option(OptionAligned); def.OptionsFor != OptionsForPassing || !ok || a.Chosen || !near(a.Cost.Total, fra.Cost.Total) ||
		def.Options[0].Kind == OptionPlan || len(def.OptionsPOPs) != 1 || def.OptionsPOPs[0] != "FRA56-P3" {
		t.Errorf("options for %q: %+v", def.OptionsFor, def.Options)
	}
	all, err := planFrom(c, func(c *Config) { nearOrigin(c); c.MinGainPerDollar = 0 })
	if err != nil {
		t.Fatal(err)
	}
	if fra := pop(t, all, "FRA56-P3"); !fra.Warm || !strings.HasPrefix(fra.Why, "warmed: removes ") || !strings.Contains(fra.Why, "(at least --min-gain-per-dollar 0)") {
		t.Errorf("no minimum per dollar: FRA warm %v: %s", fra.Warm, fra.Why)
	}
	if all.OptionsFor != OptionsForWarmed || all.Options[0].Kind != OptionPlan {
		t.Errorf("options for %q: %+v", all.OptionsFor, all.Options[0])
	}
	// A dearer hour of waiting warms it: the threshold is the price of an
	// hour, 3,600 s / (s per dollar).
	cheap, err := planFrom(c, func(c *Config) { nearOrigin(c); c.MinGainPerDollar = fra.GainPerDollar * 0.99 })
	if err != nil {
		t.Fatal(err)
	}
	if fra := pop(t, cheap, "FRA56-P3"); !fra.Warm {
		t.Errorf("just below its gain per dollar: FRA not warmed: %s", fra.Why)
	}
}

// TestWhyWords: every POP's sentence says why it is, or is not, warmed.
func TestWhyWords(t *testing.T) {
	busy := simulate(5, "NRT57-P2", poisson(2), 6*3600, 16, 5, 0.16, 0.30)
	// SIN's requests are 98% cold today: its logs cannot tell the penalty
	// (the robust fit declines), --origin-rtt gives the simulated 0.25 s.
	mixed := simulate(6, "SIN52-C1", poisson(0.05), 6*3600, 16, 5, 0.10, 0.25)
	penalty := func(c *Config) { c.OriginRTT = 125 * time.Millisecond }
	for _, tc := range []struct {
		name string
		as   []arrival
		set  func(*Config)
		code string
		want string
	}{
		{"unknown airport", append(rare("QQQ50-C1", 7), mixed...), nil, "QQQ50-C1",
			`not warmed: airport "QQQ" is not in the POP table (plan/regions.csv), so it has no region or price`},
		{"no penalty", simulate(8, "HKG62-C1", poisson(1.0/600), 7*86400, 8, 5, 0.10, 0), nil, "HKG62-C1",
			"not warmed: its logs cannot tell what a cold request costs (give --origin-rtt)"},
		{"keep-alive alone meets the target", busy, nil, "NRT57-P2",
			"of its requests cold, within --target-cold 0.20%"},
		{"below --min-cold", busy, func(c *Config) { c.TargetCold = 1e-6 }, "NRT57-P2",
			"below --min-cold 1.00% (within the model's error)"},
		{"below --min-gain", mixed, func(c *Config) { penalty(c); c.MinGain = 1000 * time.Hour }, "SIN52-C1",
			"of waiting a day, below --min-gain 1000h0m0s"},
		{"beyond --max-pops", append(mixed, rare("HKG62-C1", 9)...), func(c *Config) { c.MaxPOPs, c.MinGainPerDollar, c.OriginRTT = 1, 0, 200*time.Millisecond }, "SIN52-C1",
			"not warmed: beyond --max-pops 1 (it would remove "},
		{"warmed", mixed, penalty, "SIN52-C1", "warmed: removes "},
	} {
		p, err := planFrom(counts(tc.as), tc.set)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := pop(t, p, tc.code).Why; !strings.Contains(got, tc.want) {
			t.Errorf("%s: %s says %q, want %q", tc.name, tc.code, got, tc.want)
		}
		for _, pop := range p.POPs {
			if pop.Warm != strings.HasPrefix(pop.Why, "warmed: ") || (!pop.Warm && !strings.HasPrefix(pop.Why, "not warmed: ")) {
				t.Errorf("%s: %s (warm %v) says %q", tc.name, pop.Code, pop.Warm, pop.Why)
			}
		}
	}
}
