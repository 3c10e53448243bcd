package report

import (
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/stats"
	"math/rand/v2"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// t0 is the start of the synthetic experiment.
var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

const (
	testScale    = 60
	testInterval = 90 * time.Second
	warmTotal    = 240 * time.Millisecond
	coldTotal    = 620 * time.Millisecond
)

// result is a successful probe with the seed's viewer-side timings: DNS
// 1 ms, TCP done at 21 ms, TLS at 41 ms, first byte 1 ms before the end.
func result(seq int, start time.Time, total time.Duration, origin cloudfront.OriginConn) probe.Result {
	r := probe.Result{
		Seq:        seq,
		Start:      start,
		URL:        "https://d111111abcdef8.cloudfront.net/api/time",
		Proto:      "HTTP/1.1",
		TLSVersion: "TLS 1.3",
		Status:     200,
		BodyBytes:  64,
		Timings: probe.Timings{
			NameLookup:    time.Millisecond,
			Connect:       21 * time.Millisecond,
			AppConnect:    41 * time.Millisecond,
			StartTransfer: total - time.Millisecond,
			Total:         total,
		},
		CloudFront: cloudfront.Headers{ID: "id", POP: "HKG62-C1", Cache: "Miss from cloudfront"},
		Origin:     origin,
	}
	if origin == cloudfront.OriginCold {
		r.UpstreamConnect = 380 * time.Millisecond
	}
	return r
}

// scenario builds a scenario of n probes spaced testInterval/testScale
// apart. total and origin give probe i's Total and origin state; a nil
// total means the probe failed with a timeout.
func scenario(name string, ka time.Duration, prewarm bool, n int, total func(i int) time.Duration, origin func(i int) cloudfront.OriginConn) Scenario {
	s := Scenario{
		Name:       name,
		Title:      name + " title",
		KeepAlive:  ka,
		OriginIdle: 75 * time.Second,
		Prewarm:    prewarm,
		Hosts:      4,
		Start:      t0,
	}
	if prewarm {
		s.PrewarmRequestsPerPOP = 8
		s.PrewarmColdRatio = stats.Ratio{Whole: 60}
	}
	for i := range n {
		start := t0.Add(time.Duration(i) * testInterval / testScale)
		if total == nil {
			s.Results = append(s.Results, probe.Result{Seq: i, Start: start, Error: "timeout", Phase: probe.PhaseRequest, Kind: cloudfront.KindTimeout})
			continue
		}
		s.Results = append(s.Results, result(i, start, total(i), origin(i)))
	}
	s.Summary = probe.Summarize(s.Results)
	return s
}

// jitter spreads ±2 ms around d symmetrically, so that the median of 20
// probes is exactly d.
func jitter(d time.Duration) func(int) time.Duration {
	return func(i int) time.Duration { return d + time.Duration(i%5-2)*time.Millisecond }
}

func always(o cloudfront.OriginConn) func(int) cloudfront.OriginConn {
	return func(int) cloudfront.OriginConn { return o }
}

// testReport is the seed's experiment in miniature: 20 cold probes at
// ~0.62 s without prewarm and 20 warm probes at ~0.24 s with prewarm.
func testReport() Report {
	return Report{
		Profile:       "hkg-fra",
		ProfileDesc:   "viewers in Hong Kong, origin in Frankfurt",
		ViewerRTT:     20 * time.Millisecond,
		OriginRTT:     190 * time.Millisecond,
		TimeScale:     testScale,
		ProbeInterval: testInterval,
		Scenarios: []Scenario{
			scenario("ka5-noprewarm", 5*time.Second, false, 20, jitter(coldTotal), always(cloudfront.OriginCold)),
			scenario("ka60-prewarm", 60*time.Second, true, 20, jitter(warmTotal), always(cloudfront.OriginWarm)),
		},
		Baseline: "ka5-noprewarm",
		Improved: "ka60-prewarm",
		Reference: []Reference{
			{Scenario: "ka5-noprewarm", TotalP50: 620 * time.Millisecond, Source: "seed document, Hong Kong \u2192 Frankfurt"},
			{Scenario: "ka60-prewarm", TotalP50: 238 * time.Millisecond, Source: "seed document, Hong Kong \u2192 Frankfurt"},
		},
		Generated: t0.Add(time.Hour),
	}
}

// sampleReport looks like a full lab run: the two seed scenarios with
// realistic spread, keep-alive alone, partial prewarm coverage with an
// unknown and a failed probe, and the origin-idle trap.
func sampleReport() Report {
	rng := rand.New(rand.NewPCG(1, 2))
	spread := func(lo, hi time.Duration) time.Duration {
		return lo + time.Duration(rng.Int64N(int64(hi-lo)))
	}
	cold := func(int) time.Duration { return spread(611*time.Millisecond, 669*time.Millisecond) }
	warm := func(int) time.Duration { return spread(234*time.Millisecond, 242*time.Millisecond) }
	r := testReport()
	r.Scenarios[0] = scenario("ka5-noprewarm", 5*time.Second, false, 20, cold, always(cloudfront.OriginCold))
	r.Scenarios[0].Title = "keep-alive 5 s, no prewarm"
	r.Scenarios[1] = scenario("ka60-prewarm", 60*time.Second, true, 20, warm, always(cloudfront.OriginWarm))
	r.Scenarios[1].Title = "keep-alive 60 s, prewarm"
	ka60 := scenario("ka60-noprewarm", 60*time.Second, false, 20, cold, always(cloudfront.OriginCold))
	ka60.Title = "keep-alive 60 s, no prewarm"
	coverage := make([]cloudfront.OriginConn, 20)
	for i := range coverage {
		coverage[i] = cloudfront.OriginWarm
		if rng.IntN(100) < 40 {
			coverage[i] = cloudfront.OriginCold
		}
	}
	coverage[7] = cloudfront.OriginUnknown
	partial := scenario("prewarm-partial", 60*time.Second, true, 20,
		func(i int) time.Duration {
			if coverage[i] == cloudfront.OriginCold {
				return cold(i)
			}
			return warm(i)
		},
		func(i int) cloudfront.OriginConn { return coverage[i] })
	partial.Title = "keep-alive 60 s, prewarm 2 requests per POP for 4 hosts"
	partial.PrewarmRequestsPerPOP = 2
	partial.PrewarmColdRatio = stats.Ratio{Part: 19, Whole: 50}
	partial.Results[12] = probe.Result{Seq: 12, Start: partial.Results[12].Start, Error: "context deadline exceeded", Phase: probe.PhaseRequest, Kind: cloudfront.KindTimeout}
	partial.Summary = probe.Summarize(partial.Results)
	r.Scenarios = append(r.Scenarios, ka60, partial)
	return r
}
