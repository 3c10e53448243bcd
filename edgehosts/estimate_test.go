package edgehosts

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// draw returns the ids of n connections spread uniformly over h hosts.
func draw(rng *rand.Rand, h, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x", rng.IntN(h))
	}
	return ids
}

// The MLE is the integer that maximizes the likelihood (checked by brute
// force), and the interval holds it.
func TestEstimateHostsIsTheMaximum(t *testing.T) {
	for _, c := range []struct{ n, d int }{{20, 2}, {20, 4}, {60, 8}, {60, 31}, {60, 50}, {180, 32}, {200, 150}, {60, 59}} {
		f := EstimateHosts(c.n, c.d, 0)
		if !f.OK {
			t.Fatalf("n=%d d=%d: no estimate: %s", c.n, c.d, f.Why)
		}
		best, bestLL := 0, math.Inf(-1)
		for h := c.d; h <= 20000; h++ {
			if ll := logLikelihood(c.n, c.d, h); ll > bestLL {
				best, bestLL = h, ll
			}
		}
		if f.Best != best || f.Low > f.Best || f.High < f.Best || f.Low < c.d {
			t.Errorf("n=%d d=%d: Ĥ %d [%d, %d], want Ĥ %d inside its interval, not below d", c.n, c.d, f.Best, f.Low, f.High, best)
		}
	}
}

// With known host counts the estimate is close and the 95% interval covers
// the truth in about 95% of runs.
func TestEstimateHostsKnownH(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, h := range []int{4, 8, 32, 100} {
		covered, runs := 0, 400
		var sumErr float64
		for range runs {
			var tr Tracker
			for range 3 { // three waves of 60
				tr.AddWave(draw(rng, h, 60))
			}
			f := tr.Fit(0.95)
			if !f.OK {
				t.Fatalf("H=%d: no estimate: %s", h, f.Why)
			}
			if f.Low <= h && h <= f.High {
				covered++
			}
			sumErr += math.Abs(float64(f.Best-h)) / float64(h)
		}
		if share := float64(covered) / float64(runs); share < 0.90 {
			t.Errorf("H=%d: the 95%% interval covered the truth in %.0f%% of runs", h, 100*share)
		}
		if mean := sumErr / float64(runs); mean > 0.10 {
			t.Errorf("H=%d: mean relative error %.1f%% after 3 waves of 60", h, 100*mean)
		}
	}
}

// Ids that never repeat are per request (or the POP is far larger than the
// sample): no estimate, and the hosts file entry falls back.
func TestEstimateHostsPerRequestIDs(t *testing.T) {
	var tr Tracker
	for w := range 3 {
		ids := make([]string, 60)
		for i := range ids {
			ids[i] = fmt.Sprintf("%032x", w*1000+i)
		}
		tr.AddWave(ids)
	}
	f := tr.Fit(0)
	if f.OK || !strings.Contains(f.Why, "per request") {
		t.Fatalf("unique ids: %+v, want no estimate saying the ids look per request", f)
	}
	e := f.Estimate("HKG62-C1", 16)
	if e.Hosts != 16 || e.Method != MethodConfigured || e.Seen != 180 || !strings.Contains(e.Note, "per request") {
		t.Errorf("hosts file entry %+v, want the configured 16 with the reason", e)
	}
	for _, c := range []struct {
		n, d int
		why  string
	}{{0, 0, "no response"}, {10, 10, "too few"}, {10, 3, "too few"}} {
		if f := EstimateHosts(c.n, c.d, 0); f.OK || !strings.Contains(f.Why, c.why) {
			t.Errorf("n=%d d=%d: %+v, want no estimate saying %q", c.n, c.d, f, c.why)
		}
	}
}

func TestTrackerWindow(t *testing.T) {
	tr := Tracker{Window: 2}
	tr.AddWave([]string{"a", "b", "", "a"})
	tr.AddWave(nil) // no ids: not a wave
	tr.AddWave([]string{"c"})
	if n, d := tr.Counts(); n != 4 || d != 3 || tr.Waves() != 2 {
		t.Errorf("counts %d %d over %d waves, want 4 responses, 3 ids, 2 waves", n, d, tr.Waves())
	}
	tr.AddWave([]string{"c", "d"})
	if n, d := tr.Counts(); n != 3 || d != 2 {
		t.Errorf("after the window moved: %d responses %d ids, want 3 and 2 (the first wave dropped)", n, d)
	}
}

func TestRequestsFor(t *testing.T) {
	for _, c := range []struct {
		h    int
		cov  float64
		want int
	}{{1, 0.99, 1}, {4, 0.99, 17}, {8, 0.99, 35}, {13, 0.99, 58}, {32, 0.99, 146}, {8, 0.9, 18},
		{16, 0.99, 72}, {2, 0.5, 1}, {30, 0.95, 89}} { // the planner's (it was plan's own requestsFor)
		n := RequestsFor(c.h, c.cov)
		if n != c.want || Coverage(c.h, n) < c.cov || (n > 1 && Coverage(c.h, n-1) >= c.cov) {
			t.Errorf("RequestsFor(%d, %v) = %d (coverage %.4f), want %d", c.h, c.cov, n, Coverage(c.h, n), c.want)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hosts.json")
	f := File{POPs: []Estimate{{POP: "HKG62-C1", Hosts: 8}}}
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil || got["HKG62-C1"].Hosts != 8 {
		t.Fatalf("ReadFile = %v, %v", got, err)
	}
	// A file that cannot be written leaves nothing behind.
	if err := WriteFile(filepath.Join(dir, "missing", "hosts.json"), f); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only hosts.json (no temporary files)", len(entries))
	}
}

func FuzzEstimateHosts(f *testing.F) {
	f.Add(60, 8)
	f.Add(20, 20)
	f.Add(1, 1)
	f.Fuzz(func(t *testing.T, n, d int) {
		if n > 1e6 || n < -1 || d > 1e6 || d < -1 {
			return
		}
		fit := EstimateHosts(n, d, 0.95)
		if fit.OK && (fit.Best < d || fit.Low > fit.Best || fit.High < fit.Best || fit.High > MaxHosts) {
			t.Errorf("n=%d d=%d: %+v", n, d, fit)
		}
		if !fit.OK && fit.Why == "" {
			t.Errorf("n=%d d=%d: no estimate and no reason", n, d)
		}
	})
}
