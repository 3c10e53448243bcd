package warm_test

import (
	"context"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
)

// The origin-cold ratio of each wave measures how well the previous wave
// covered the POP: with an origin keep-alive longer than the wave interval
// only the very first request of the run is cold; with one shorter than the
// interval (but longer than the gaps between the requests of a wave) every
// wave starts cold again. Requests go one at a time so the emulated origin
// pool is deterministic.
func TestOriginColdRatioPerWave(t *testing.T) {
	specs := []loopback.POPSpec{
		{Code: "HKG54-C1", OriginKeepAlive: time.Minute},
		{Code: "FRA56-P3", OriginKeepAlive: 300 * time.Millisecond},
	}
	e := startEdge(t, specs...)
	cfg := edgeConfig(e, specs)
	cfg.RequestsPerPOP = 4
	cfg.Concurrency = 1
	cfg.Waves = 3
	cfg.WaveInterval = 900 * time.Millisecond
	cfg.KeepAlive = 2 * time.Second
	cfg.Timeout = 5 * time.Second

	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Waves) != 3 {
		t.Fatalf("%d waves, want 3", len(res.Waves))
	}
	for i, w := range res.Waves {
		if w.Index != i+1 {
			t.Errorf("wave %d has index %d", i+1, w.Index)
		}
		if planned := res.Start.Add(time.Duration(i) * cfg.WaveInterval); w.Start.Before(planned) {
			t.Errorf("wave %d started at %v, before its planned start %v", i+1, w.Start.Sub(res.Start), planned.Sub(res.Start))
		}
		wantHKG := 0.0
		if i == 0 {
			wantHKG = 0.25 // the first request of the run opened the origin connection
		}
		if r, ok := w.POPs[0].Stats.OriginColdRatio().Value(); !ok || r != wantHKG {
			t.Errorf("wave %d HKG54-C1 origin-cold ratio %v (%v), want %v", i+1, r, ok, wantHKG)
		}
		// 300ms keep-alive < 900ms interval: each wave's first request is cold.
		if r, ok := w.POPs[1].Stats.OriginColdRatio().Value(); !ok || r != 0.25 {
			t.Errorf("wave %d FRA56-P3 origin-cold ratio %v (%v), want 0.25", i+1, r, ok)
		}
	}
	if e.Requests() != 3*2*4 {
		t.Errorf("POPs received %d requests, want exactly 24", e.Requests())
	}
}

// A wave is not started when its requests could not have their full
// timeout before the deadline: Run returns early with what finished.
func TestRunStopsBeforeDeadline(t *testing.T) {
	specs := []loopback.POPSpec{{Code: "HKG54-C1"}}
	e := startEdge(t, specs...)
	cfg := edgeConfig(e, specs)
	cfg.RequestsPerPOP = 3
	cfg.Waves = 3
	cfg.WaveInterval = 2 * time.Second
	cfg.KeepAlive = 5 * time.Second
	cfg.Timeout = 1500 * time.Millisecond

	// Wave 2 would start at 2s and need until 3.5s: past the 3s deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := warm.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("Run returned after the deadline; it should stop as soon as no wave fits")
	}
	if len(res.Waves) != 1 || res.Stopped != warm.StopDeadline || res.WavesPlanned != 3 {
		t.Errorf("waves %d/%d stopped %q, want 1/3 stopped by the deadline", len(res.Waves), res.WavesPlanned, res.Stopped)
	}
	if res.Total.OK != 3 || res.Total.Unfinished != 0 || e.Requests() != 3 {
		t.Errorf("total %+v, server saw %d: want the 3 requests of wave 1", res.Total, e.Requests())
	}
}

// oneAtATime plans two waves a second apart of requests sent one at a time.
func oneAtATime(cfg warm.Config, requests int) warm.Config {
	cfg.RequestsPerPOP = requests
	cfg.Concurrency = 1
	cfg.Waves = 2
	cfg.WaveInterval = time.Second
	cfg.KeepAlive = 5 * time.Second
	return cfg
}

// Ending the stop context during a wave lets that wave finish and starts no other.
func TestStopFinishesWaveInProgress(t *testing.T) {
	stop, stopNow := context.WithCancel(context.Background())
	defer stopNow()
	specs := []loopback.POPSpec{{Code: "HKG54-C1", Delay: 50 * time.Millisecond, OnRequest: stopNow}}
	e := startEdge(t, specs...)
	r, err := warm.NewRunner(oneAtATime(edgeConfig(e, specs), 4))
	if err != nil {
		t.Fatal(err)
	}
	res := r.Run(context.Background(), stop)
	if len(res.Waves) != 1 || res.Stopped != warm.StopStopped {
		t.Fatalf("waves %d stopped %q, want 1 wave then stopped", len(res.Waves), res.Stopped)
	}
	if s := res.Waves[0].Total; s.OK != 4 || s.Unfinished != 0 || e.Requests() != 4 {
		t.Errorf("wave in progress: %+v, server saw %d; want all 4 requests finished", s, e.Requests())
	}
}

// Canceling the context abandons the wave: the request in flight and those
// not yet sent are unfinished, not errors.
func TestCancelMarksUnfinished(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	specs := []loopback.POPSpec{{Code: "HKG54-C1", Delay: time.Minute, OnRequest: cancel}}
	e := startEdge(t, specs...)
	res, err := warm.Run(ctx, oneAtATime(edgeConfig(e, specs), 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Waves) != 1 || res.Stopped != warm.StopCanceled {
		t.Errorf("waves %d stopped %q, want 1 then canceled", len(res.Waves), res.Stopped)
	}
	if s := res.Total; s.Unfinished != 3 || s.Errors != 0 || s.Requests != 0 || e.Requests() != 1 {
		t.Errorf("total %+v, server saw %d: want 3 unfinished, no errors, 1 request sent", s, e.Requests())
	}
}

// Never more than Concurrency requests in flight, over all POPs.
func TestConcurrencyCap(t *testing.T) {
	specs := []loopback.POPSpec{
		{Code: "HKG54-C1", Delay: 30 * time.Millisecond},
		{Code: "FRA56-P3", Delay: 30 * time.Millisecond},
	}
	e := startEdge(t, specs...)
	cfg := edgeConfig(e, specs)
	cfg.RequestsPerPOP = 12
	cfg.Concurrency = 3
	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total.OK != 24 || e.Requests() != 24 {
		t.Fatalf("total %+v, server saw %d, want 24", res.Total, e.Requests())
	}
	if m := e.MaxInFlight(); m > 3 || m < 1 {
		t.Errorf("at most %d requests were in flight, want 1 to 3", m)
	}
}

// HEAD requests, and a 5xx status counts as an error: it warmed nothing.
func TestHEADAnd5xx(t *testing.T) {
	specs := []loopback.POPSpec{{Code: "HKG54-C1"}, {Code: "FRA56-P3", Status: 502}}
	e := startEdge(t, specs...)
	cfg := edgeConfig(e, specs)
	cfg.Method = "HEAD"
	cfg.RequestsPerPOP = 2
	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m := e.POPs["HKG54-C1"].LastRequest().Method; m != "HEAD" {
		t.Errorf("method %s, want HEAD", m)
	}
	fra := res.Waves[0].POPs[1].Stats
	if fra.Errors != 2 || fra.ErrorsByKind[cloudfront.KindStatus5xx] != 2 || fra.Statuses[502] != 2 {
		t.Errorf("502 POP: %+v", fra)
	}
	if hkg := res.Waves[0].POPs[0].Stats; hkg.OK != 2 {
		t.Errorf("HEAD POP: %+v", hkg)
	}
}

// RunAt sends one wave at each given time (an aligned schedule's slots),
// never before it, a time already past at once, and ignores Waves and
// WaveInterval; with no time it sends nothing.
func TestRunAtSlots(t *testing.T) {
	specs := []loopback.POPSpec{{Code: "HKG54-C1"}}
	e := startEdge(t, specs...)
	cfg := edgeConfig(e, specs)
	cfg.RequestsPerPOP = 2
	cfg.Waves = 5 // not used by RunAt
	cfg.WaveInterval = 10 * time.Second
	cfg.KeepAlive = time.Minute
	r, err := warm.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	at := []time.Time{now.Add(-500 * time.Millisecond), now.Add(300 * time.Millisecond), now.Add(700 * time.Millisecond)}
	res := r.RunAt(context.Background(), nil, at)
	if len(res.Waves) != 3 || res.WavesPlanned != 3 || res.Stopped != warm.StopNone {
		t.Fatalf("%d waves of %d planned, stopped %q; want 3", len(res.Waves), res.WavesPlanned, res.Stopped)
	}
	if late := res.Waves[0].Start.Sub(now); late > 200*time.Millisecond {
		t.Errorf("the past slot's wave started %v after the call, want at once", late)
	}
	for i, w := range res.Waves[1:] {
		if w.Start.Before(at[i+1]) {
			t.Errorf("wave %d started %v before its slot", i+2, at[i+1].Sub(w.Start))
		}
	}
	if e.Requests() != 3*2 {
		t.Errorf("POPs received %d requests, want 6", e.Requests())
	}
	if empty := r.RunAt(context.Background(), nil, nil); len(empty.Waves) != 0 || empty.WavesPlanned != 0 || e.Requests() != 6 {
		t.Errorf("no slot: %d waves, %d requests in all", len(empty.Waves), e.Requests())
	}
}
