package warm

import (
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
)

func ok(pop, answered string, origin cloudfront.OriginConn, total time.Duration) Record {
	return Record{POP: pop, Result: probe.Result{Status: 200, CloudFront: cloudfront.Headers{POP: answered}, Origin: origin, Timings: probe.Timings{Total: total}}}
}

// failed is a record that failed with kind (and, if not 0, a status).
func failed(pop string, status int, kind cloudfront.ErrorKind) Record {
	return Record{POP: pop, Result: probe.Result{Status: status, Kind: kind}}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	reqs := []Record{
		ok("HKG54-C1", "HKG54-C1", cloudfront.OriginCold, 40*ms),
		ok("HKG54-C1", "HKG54-C1", cloudfront.OriginWarm, 10*ms),
		ok("HKG54-C1", "HKG54-C1", cloudfront.OriginWarm, 20*ms),
		ok("HKG54-C1", "hkg54-c1", cloudfront.OriginWarm, 30*ms), // case does not make a mismatch
		ok("HKG54-C1", "", cloudfront.OriginUnknown, 50*ms),      // no CloudFront headers at all
		ok("HKG54-C1", "HKG62-C1", cloudfront.OriginCold, 60*ms), // another POP: not counted for the target
		failed("HKG54-C1", 503, cloudfront.KindStatus5xx),
		failed("HKG54-C1", 0, cloudfront.KindTimeout),
		{POP: "HKG54-C1", Unfinished: true, Result: probe.Result{Kind: cloudfront.KindCanceled}},
		{POP: "HKG54-C1", Unfinished: true},
	}
	s := Summarize(reqs)
	checks := []struct {
		name      string
		got, want int
	}{
		{"planned", s.Planned, 10},
		{"requests", s.Requests, 8},
		{"ok", s.OK, 6},
		{"errors", s.Errors, 2},
		{"unfinished", s.Unfinished, 2},
		{"timeouts", s.ErrorsByKind[cloudfront.KindTimeout], 1},
		{"5xx", s.ErrorsByKind[cloudfront.KindStatus5xx], 1},
		{"status 503", s.Statuses[503], 1},
		{"status 200", s.Statuses[200], 6},
		{"mismatched", s.Mismatched, 1},
		{"answered by HKG62-C1", s.POPs["HKG62-C1"], 1},
		{"warm", s.Origin.Warm, 3},
		{"cold", s.Origin.Cold, 1},
		{"unknown", s.Origin.Unknown, 1},
		{"latency n", s.Latency().N, 6},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if r, ok := s.OriginColdRatio().Value(); !ok || r != 0.25 {
		t.Errorf("origin-cold ratio %v %v, want 0.25 (1 cold of 4 known from the target)", r, ok)
	}
	if s.Latency().Max != 60*ms || s.Latency().Min != 10*ms {
		t.Errorf("latency %+v: want OK requests only, 10ms to 60ms", s.Latency())
	}
	if _, ok := Summarize(nil).OriginColdRatio().Value(); ok {
		t.Error("no requests: the ratio must be unknown")
	}
}

func TestByPOPMergesWaves(t *testing.T) {
	ms := time.Millisecond
	r := &Result{Waves: []Wave{
		{Index: 1, POPs: []POPResult{
			{POP: "A12-C1", Requests: []Record{ok("A12-C1", "A12-C1", cloudfront.OriginCold, ms), ok("A12-C1", "A12-C1", cloudfront.OriginWarm, ms)}},
			{POP: "B12-C1", ResolveError: "no such host", Requests: []Record{failed("B12-C1", 0, cloudfront.KindDNS)}},
		}},
		{Index: 2, POPs: []POPResult{
			{POP: "A12-C1", Requests: []Record{ok("A12-C1", "A12-C1", cloudfront.OriginWarm, ms), ok("A12-C1", "A12-C1", cloudfront.OriginWarm, ms)}},
			{POP: "B12-C1", Requests: []Record{ok("B12-C1", "B12-C1", cloudfront.OriginCold, ms)}},
		}},
	}}
	by := r.ByPOP()
	if len(by) != 2 || by[0].POP != "A12-C1" || by[1].POP != "B12-C1" {
		t.Fatalf("ByPOP = %+v", by)
	}
	if a := by[0].Stats; a.Requests != 4 || a.Origin.Cold != 1 || a.Origin.Warm != 3 {
		t.Errorf("A12-C1 over both waves: %+v", a)
	}
	if b := by[1]; b.Stats.Requests != 2 || b.Stats.Errors != 1 || b.ResolveError == "" {
		t.Errorf("B12-C1 over both waves: %+v", b)
	}
	if len(r.WithoutRequests().Waves[0].POPs[0].Requests) != 0 || len(r.Waves[0].POPs[0].Requests) != 2 {
		t.Error("WithoutRequests must drop the records from the copy only")
	}
}

// A run's and a wave's totals, counted POP by POP where the records are,
// are the totals of all their records together.
func TestSummarizeWavesInPlace(t *testing.T) {
	ms := time.Millisecond
	a := []Record{ok("A12-C1", "A12-C1", cloudfront.OriginCold, 3*ms), failed("A12-C1", 0, cloudfront.KindTimeout)}
	b := []Record{ok("B34-C1", "B34-C1", cloudfront.OriginWarm, ms), {POP: "B34-C1", Unfinished: true}}
	c := []Record{ok("A12-C1", "A12-C1", cloudfront.OriginWarm, 2*ms)}
	waves := []Wave{{POPs: []POPResult{{Requests: a}, {Requests: b}}}, {POPs: []POPResult{{Requests: c}}}}
	all := Summarize(append(append(append([]Record{}, a...), b...), c...))
	got := summarize(waves...)
	if got.Planned != 5 || got.Unfinished != 1 || got.Requests != 4 || got.OK != 3 || got.Origin.Cold != 1 || got.Origin.Warm != 2 ||
		got.Latency() != all.Latency() || got.Planned != all.Planned || got.ErrorsByKind[cloudfront.KindTimeout] != 1 {
		t.Errorf("summarize = %+v\nwant %+v", got, all)
	}
	if w := summarize(waves[0]); w.Planned != 4 || w.Requests != 3 || w.Latency().Max != 3*ms {
		t.Errorf("one wave: %+v", w)
	}
}
