package lab

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/probe"
)

func TestParseArrivals(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Arrivals
	}{
		{"steady:2/s", Arrivals{Kind: Steady, Rate: 2}},
		{"rare:1/5m", Arrivals{Kind: Rare, Rate: 1.0 / 300}},
		{"rare:30/h", Arrivals{Kind: Rare, Rate: 30.0 / 3600}},
		{"steady:1/90s", Arrivals{Kind: Steady, Rate: 1.0 / 90}},
		{"bursty:1/10m,size=20,spread=10s", Arrivals{Kind: Bursty, Rate: 1.0 / 600, Size: 20, Spread: 10 * time.Second}},
		{"bursty:1/m", Arrivals{Kind: Bursty, Rate: 1.0 / 60, Size: 10, Spread: 5 * time.Second}},
		{"diurnal:0.5/s,period=1h,amplitude=0.5", Arrivals{Kind: Diurnal, Rate: 0.5, Period: time.Hour, Amplitude: 0.5}},
		{"session:1/m,size=10,gap=1s", Arrivals{Kind: Session, Rate: 1.0 / 60, Size: 10, Gap: time.Second}},
		{"session:0.2/s", Arrivals{Kind: Session, Rate: 0.2, Size: 5, Gap: 2 * time.Second}},
	} {
		got, err := ParseArrivals(tc.spec)
		if err != nil || math.Abs(got.Rate-tc.want.Rate) > 1e-12 {
			t.Errorf("%q: %+v, %v", tc.spec, got, err)
			continue
		}
		got.Rate = tc.want.Rate
		if got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.spec, got, tc.want)
		}
		if again, err := ParseArrivals(got.String()); err != nil || again.Kind != got.Kind || math.Abs(again.Rate-got.Rate)/got.Rate > 1e-3 {
			t.Errorf("%q → %q → %+v %v", tc.spec, got.String(), again, err)
		}
	}
	for _, bad := range []string{"", "poisson:1/s", "steady", "steady:0/s", "steady:1/fortnight", "steady:5000/s",
		"bursty:1/m,size=0", "steady:1/s,size=3", "diurnal:1/s,amplitude=2",
		"bursty:1/m,spread=-5s", "bursty:2/s,size=1000", "bursty:2/s,size=600", "bursty:1/m,spread=48h",
		"steady:NaN/s", "steady:1e-300/s", "diurnal:1/s,period=1ns", "diurnal:1/s,period=-1h", "diurnal:1/s,amplitude=NaN",
		"session:1/s,gap=-1s", "session:2/s,size=600", "bursty:1/m,gap=2s", "session:1/m,spread=1s", "session:1/m,gap=48h"} {
		if _, err := ParseArrivals(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseArrivals: any --traffic value is read or refused without a
// panic; one that is read is within the bounds a run can take and reads
// back from its String.
func FuzzParseArrivals(f *testing.F) {
	for _, s := range []string{"steady:2/s", "rare:1/10m", "bursty:1/5m,size=20,spread=10s", "diurnal:0.5/s,period=24h,amplitude=0.9",
		"bursty:1/m,spread=-5s", "bursty:1/s,size=1000", "steady:NaN/s", "steady:1/1e-9s", "diurnal:1/s,period=1ns",
		"session:1/m,size=10,gap=1s", "session:2/s,size=600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		a, err := ParseArrivals(spec)
		if err != nil {
			return
		}
		if err := a.check(); err != nil {
			t.Fatalf("%q read as %+v: %v", spec, a, err)
		}
		if (a.Kind == Bursty || a.Kind == Session) && (a.Spread < 0 || a.Gap < 0 || a.Rate*float64(a.Size) > MaxRate) {
			t.Fatalf("%q: %+v", spec, a)
		}
		again, err := ParseArrivals(a.String())
		if err != nil || again.Kind != a.Kind || math.Abs(again.Rate-a.Rate) > 1e-3*a.Rate {
			t.Fatalf("%q → %q → %+v, %v", spec, a.String(), again, err)
		}
	})
}

// TestArrivalRates: each process's arrivals average its rate.
func TestArrivalRates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	d := 200 * time.Hour
	for _, a := range []Arrivals{
		{Kind: Steady, Rate: 0.5}, {Kind: Bursty, Rate: 1.0 / 60, Size: 10, Spread: 5 * time.Second},
		{Kind: Diurnal, Rate: 0.2, Period: time.Hour, Amplitude: 0.9},
	} {
		got := float64(len(a.times(rng, d))) / d.Seconds()
		want := a.Rate
		if a.Kind == Bursty {
			want *= float64(a.Size)
		}
		if math.Abs(got-want)/want > 0.03 {
			t.Errorf("%s: %.4f requests/s, want %.4f", a, got, want)
		}
	}
}

// TestTrafficLogsPredictColdShare is the planner's end-to-end check: the
// lab sends five POPs traffic of very different rates and shapes through
// the real edge emulator, which writes CloudFront standard logs in
// experiment time; plan reads the logs as `cfprewarm plan` would with the
// command the run prints (PlanConfig) and predicts each POP's cold share,
// which must be within 0.05 of the share the viewers measured through
// Server-Timing.
//
// The time scale (40) keeps the keep-alive (60 s → 1.5 s) long beside a
// request (a few ms on these short links); the 64 hosts keep requests that
// overlap on one host rare (TestTrafficLogsPredictConnections has them).
// The seed fixes the arrivals and the edge hosts' draws, so a run repeats
// its numbers but for the machine's timing.
func TestTrafficLogsPredictColdShare(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 30 s of lab traffic")
	}
	predictTraffic(t, DefaultTraffic(Profiles["traffic"]), 64)
}

// TestTrafficLogsPredictConnections: the shapes the model per viewer
// connection and per origin connection pool is for, on 8 edge hosts:
// viewer sessions (requests on one kept-alive connection, which stay on
// its edge host) and bursts whose requests overlap on a host (each needs a
// connection of its own), beside steady traffic. The emulator's pools are
// Go's (a request with no idle connection takes one another request frees
// before its own is up), which PlanConfig tells the planner.
func TestTrafficLogsPredictConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 30 s of lab traffic")
	}
	predictTraffic(t, map[string]Arrivals{
		"HKG62-C1": {Kind: Session, Rate: 0.2, Size: 5, Gap: 2 * time.Second},
		"NRT57-P2": {Kind: Session, Rate: 1.0 / 60, Size: 10, Gap: time.Second},
		"SIN52-C1": {Kind: Bursty, Rate: 1.0 / 60, Size: 20, Spread: 3 * time.Second},
		"FRA56-P3": {Kind: Bursty, Rate: 1.0 / 30, Size: 10, Spread: time.Second},
		"GRU50-C1": {Kind: Steady, Rate: 2},
	}, 8)
}

// predictTraffic runs 20 minutes of traffic at time scale 40 on hosts
// edge hosts per POP, plans from its logs as the command it prints would,
// and requires every POP's predicted cold share within 0.05 of the
// measured one.
func predictTraffic(t *testing.T, traffic map[string]Arrivals, hosts int) {
	dir := t.TempDir()
	rep, err := RunTraffic(context.Background(), TrafficConfig{
		Profile: "traffic", Traffic: traffic, Duration: 20 * time.Minute, TimeScale: 40,
		KeepAlive: time.Minute, Hosts: hosts, Seed: 99, LogDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Run(context.Background(), plan.Input{Logs: accesslog.Config{Inputs: []string{dir}}}, rep.PlanConfig())
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, tp := range rep.POPs {
		ok += tp.OK
		if tp.Errors > 0 {
			t.Errorf("%s: %d of %d requests failed", tp.POP, tp.Errors, tp.Requests)
		}
	}
	if sum := p.Logs; sum.Records != int64(ok) || sum.Bad != 0 || len(rep.LogFiles) < 5 {
		t.Errorf("logs: %d records for %d answers, %d bad, %d files", sum.Records, ok, sum.Bad, len(rep.LogFiles))
	}
	predicted := map[string]plan.POP{}
	for _, pop := range p.POPs {
		predicted[pop.Code] = pop
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-9s %-42s %8s %9s %9s %7s %9s %9s\n", "POP", "traffic", "requests", "measured", "predicted", "error", "req/conn", "conn/host")
	for _, tp := range rep.POPs {
		measured, known := tp.Cold.Value()
		pop := predicted[tp.POP]
		pred := pop.Cold.Current
		fmt.Fprintf(&table, "%-9s %-42s %8d %9.3f %9.3f %+7.3f %9.1f %9d\n", tp.POP, tp.Arrivals, tp.Cold.Whole, measured, pred, pred-measured,
			pop.RequestsPerConnection, pop.ConnectionsPerHost)
		if !known || math.Abs(pred-measured) > 0.05 {
			t.Errorf("%s (%s): predicted cold share %.3f, measured %.3f over %d requests", tp.POP, tp.Arrivals, pred, measured, tp.Cold.Whole)
		}
	}
	t.Logf("time scale %g, %v of traffic, keep-alive %v, %d hosts per POP, %s:\n%s", rep.TimeScale, rep.Duration, rep.KeepAlive, rep.Hosts,
		rep.PlanCommand("DIR"), table.String())
}

// TestRunTrafficStopsWhenAViewerCannotStart: when one POP's viewers cannot
// be built, the POPs already started stop at once and the error says
// which POP; the run does not last its (hour-long) duration first.
func TestRunTrafficStopsWhenAViewerCannotStart(t *testing.T) {
	calls := 0
	boom := errors.New("no prober")
	newProber = func(c probe.Config) (*probe.Prober, error) {
		if calls++; calls == 2 {
			return nil, boom
		}
		return probe.NewProber(c)
	}
	defer func() { newProber = probe.NewProber }()
	// The safety net: without the fix the run would last an hour; this
	// bounds the test, and the run must end before it. (A cancel, not a
	// deadline: pace.Run ends early before a deadline it cannot reach.)
	ctx, cancel := context.WithCancel(context.Background())
	defer time.AfterFunc(60*time.Second, cancel).Stop()
	start := time.Now()
	rep, err := RunTraffic(ctx, TrafficConfig{
		Traffic:  map[string]Arrivals{"FRA56-P3": {Kind: Steady, Rate: 1}, "HKG62-C1": {Kind: Steady, Rate: 1}},
		Duration: time.Hour, TimeScale: 1, Seed: 1, LogDir: t.TempDir(),
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "HKG62-C1") || ctx.Err() != nil {
		t.Fatalf("error %v after %v (context: %v)", err, time.Since(start), ctx.Err())
	}
	if rep.POPs[1].Requests != 0 {
		t.Errorf("the POP without viewers sent %d requests", rep.POPs[1].Requests)
	}
}
