package promexport_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

// benchResult is a wave to n POPs, each with 60 answers and a timeout.
func benchResult(n int) *warm.Result {
	w := warm.Wave{Start: time.Now(), Duration: stats.Seconds(time.Second)}
	for i := range n {
		w.POPs = append(w.POPs, warm.POPResult{POP: fmt.Sprintf("P%03d-C1", i), Stats: warm.Stats{Summary: probe.Summary{
			Requests: 61, OK: 60, Errors: 1, ErrorsByKind: map[cloudfront.ErrorKind]int{cloudfront.KindTimeout: 1},
			Origin: probe.OriginSummary{Warm: 55, Cold: 5}}}})
	}
	return &warm.Result{Waves: []warm.Wave{w}}
}

// A scrape of a daemon warming 100 POPs (the metrics of 100 POPs, plus the
// Go runtime's and the process's).
func BenchmarkScrape100POPs(b *testing.B) {
	e := promexport.New(time.Minute)
	e.Observe(benchResult(100))
	h := e.Handler()
	req := httptest.NewRequest(http.MethodGet, promexport.MetricsPath, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// Observing a wave to 100 POPs: what the daemon's loop pays per run.
func BenchmarkObserve100POPs(b *testing.B) {
	e := promexport.New(time.Minute)
	res := benchResult(100)
	b.ReportAllocs()
	for b.Loop() {
		e.Observe(res)
	}
}
