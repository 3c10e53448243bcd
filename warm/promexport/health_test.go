package promexport_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

func popResult(code string, ok, mismatched, errors int) warm.POPResult {
	return warm.POPResult{POP: code, Stats: warm.Stats{Summary: probe.Summary{
		Requests: ok + errors, OK: ok, Errors: errors, Mismatched: mismatched}}}
}

// What "succeeded" means for a POP: an answer from the POP itself.
func TestSucceeded(t *testing.T) {
	for _, c := range []struct {
		name string
		p    warm.POPResult
		want bool
	}{
		{"one answer among failures", popResult("HKG54-C1", 1, 0, 59), true},
		{"every request failed", popResult("HKG54-C1", 0, 0, 60), false},
		{"answered only by another POP", popResult("HKG54-C1", 60, 60, 0), false},
		{"one of its own answers", popResult("HKG54-C1", 60, 59, 0), true},
		{"no request finished", popResult("HKG54-C1", 0, 0, 0), false},
	} {
		if got := promexport.Succeeded(c.p); got != c.want {
			t.Errorf("%s: Succeeded = %v, want %v", c.name, got, c.want)
		}
	}
}

// A wave succeeds when every POP does; the verdict follows the last
// success, the start before the first one.
func TestHealthWindow(t *testing.T) {
	var clk clock
	e := promexport.New(time.Minute, promexport.WithClock(clk.now))
	wave := func(pops ...warm.POPResult) *warm.Result {
		return &warm.Result{Waves: []warm.Wave{{Start: clk.now(), Duration: stats.Seconds(time.Second), POPs: pops}}}
	}
	if ok, why := e.Health(); !ok || !strings.HasPrefix(why, "starting") {
		t.Errorf("at the start: %v %q", ok, why)
	}
	e.Observe(wave(popResult("HKG54-C1", 5, 0, 0), popResult("FRA56-P3", 0, 0, 5)))
	clk.advance(61 * time.Second)
	if ok, why := e.Health(); ok || !strings.Contains(why, "failed at FRA56-P3") {
		t.Errorf("a minute after the start, one POP failing: %v %q, want unhealthy", ok, why)
	}
	e.Observe(wave(popResult("HKG54-C1", 5, 0, 0), popResult("FRA56-P3", 1, 0, 4)))
	if ok, why := e.Health(); !ok || strings.Contains(why, "failed") {
		t.Errorf("after a wave in which both POPs succeeded: %v %q", ok, why)
	}
	clk.advance(50 * time.Second)
	e.Observe(wave(popResult("HKG54-C1", 0, 0, 5), popResult("FRA56-P3", 5, 0, 0)))
	if ok, why := e.Health(); !ok || !strings.Contains(why, "failed at HKG54-C1") {
		t.Errorf("a failed wave within the window of a success: %v %q, want healthy, naming the failure", ok, why)
	}
	clk.advance(15 * time.Second)
	if ok, _ := e.Health(); ok {
		t.Error("65 s after the last success, window 1m: healthy")
	}
	if e.Observe(nil); e.Window() != time.Minute {
		t.Errorf("Window = %v", e.Window())
	}
	if got := promexport.DefaultWindow(20 * time.Second); got != time.Minute {
		t.Errorf("DefaultWindow(20s) = %v, want 1m", got)
	}
}
