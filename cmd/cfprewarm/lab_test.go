package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLabQuickReproducesSeed is the end-to-end check of the lab: the quick
// run of profile hkg-fra must reproduce the seed's published medians phase
// by phase (shared reference, "phase by phase": TCP connect − DNS 0.5 ms
// within 1 ms, TLS handshake 38.4 / 38.3 ms within 10%, request → first
// byte 0.580 / 0.194 s within 5%, Total 0.621 / 0.238 s within 5%), give a
// speedup within 10% of 2.6, and see the origin connection warm on every
// prewarmed probe and on none of the others.
func TestLabQuickReproducesSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the quick lab run takes about 20 s")
	}
	dir := t.TempDir()
	code, out, errOut := runCLI("lab", "--quick", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	t.Logf("stdout:\n%s", out)
	for _, part := range []string{"# ka5-noprewarm:", "# ka60-prewarm:", "Total: 0.", ", x-amz-cf-id: ", "speedup"} {
		if !strings.Contains(out, part) {
			t.Errorf("stdout lacks %q", part)
		}
	}
	for _, f := range []string{"results.jsonl", "summary.json", "report.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(pngs) != 4 { // two timelines, the phases, the CDF
		t.Errorf("PNG charts: %v", pngs)
	}

	var sum struct {
		Schema    int       `json:"schema"`
		Version   string    `json:"version"`
		Command   []string  `json:"command"`
		Seed      int64     `json:"seed"`
		Start     time.Time `json:"start"`
		Profile   string    `json:"profile"`
		Speedup   float64   `json:"speedup"`
		Scenarios []struct {
			Name            string    `json:"name"`
			KeepAlive       float64   `json:"keepalive_s"`
			Prewarm         bool      `json:"prewarm"`
			Probes          int       `json:"probes"`
			TotalP50        float64   `json:"total_p50_s"`
			TotalP90        float64   `json:"total_p90_s"`
			OriginWarmRatio *float64  `json:"origin_warm_ratio"`
			PrewarmWaves    []float64 `json:"prewarm_waves_s"`
			Summary         struct {
				Phases map[string]struct {
					P50 float64 `json:"p50_s"`
				} `json:"phases"`
			} `json:"summary"`
		} `json:"scenarios"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Schema != 1 || sum.Profile != "hkg-fra" || len(sum.Scenarios) != 2 {
		t.Fatalf("summary.json: %s", b)
	}
	// The report stands on its own: what ran it, with which seed, when.
	if sum.Version != buildInfo().String() || strings.Join(sum.Command, " ") != "cfprewarm lab --quick --out "+dir ||
		sum.Seed == 0 || time.Since(sum.Start) > 5*time.Minute {
		t.Errorf("summary.json provenance: version %q command %q seed %d start %v", sum.Version, sum.Command, sum.Seed, sum.Start)
	}
	within := func(got, want, share float64) bool { return math.Abs(got-want) <= share*want }
	want := map[string]struct {
		p50, warmRatio, keepAlive float64
		prewarm                   bool
		tls, firstByte            float64 // published phase medians (s)
	}{
		"ka5-noprewarm": {0.621, 0, 5, false, 0.0384, 0.580},
		"ka60-prewarm":  {0.238, 1, 60, true, 0.0383, 0.194},
	}
	for _, s := range sum.Scenarios {
		w, ok := want[s.Name]
		if !ok {
			t.Errorf("unexpected scenario %q", s.Name)
			continue
		}
		if s.Probes != 5 || s.KeepAlive != w.keepAlive || s.Prewarm != w.prewarm {
			t.Errorf("%s: probes %d keepalive %v prewarm %v", s.Name, s.Probes, s.KeepAlive, s.Prewarm)
		}
		ph := s.Summary.Phases
		t.Logf("%s medians: TCP−DNS %.2f ms, TLS %.1f ms, request→first byte %.1f ms, Total %.1f ms",
			s.Name, 1e3*ph["tcp"].P50, 1e3*ph["tls"].P50, 1e3*ph["server"].P50, 1e3*s.TotalP50)
		if got := ph["tcp"].P50; math.Abs(got-0.0005) > 0.001 {
			t.Errorf("%s: median TCP connect − DNS %.2f ms, want 0.5 ms ± 1 ms", s.Name, 1e3*got)
		}
		if got := ph["tls"].P50; !within(got, w.tls, 0.10) {
			t.Errorf("%s: median TLS handshake %.1f ms, want %.1f ms ± 10%%", s.Name, 1e3*got, 1e3*w.tls)
		}
		if got := ph["server"].P50; !within(got, w.firstByte, 0.05) {
			t.Errorf("%s: median request → first byte %.3f s, want %.3f s ± 5%%", s.Name, got, w.firstByte)
		}
		if !within(s.TotalP50, w.p50, 0.05) {
			t.Errorf("%s: median Total %.3f s, want %.3f s ± 5%%", s.Name, s.TotalP50, w.p50)
		}
		if w.prewarm != (len(s.PrewarmWaves) > 1) {
			t.Errorf("%s: prewarm waves recorded at %v", s.Name, s.PrewarmWaves)
		}
		if s.OriginWarmRatio == nil || *s.OriginWarmRatio != w.warmRatio {
			t.Errorf("%s: origin warm ratio %v, want %v", s.Name, s.OriginWarmRatio, w.warmRatio)
		}
	}
	if !within(sum.Speedup, 0.620/0.238, 0.10) {
		t.Errorf("speedup %.2f, want %.2f ± 10%%", sum.Speedup, 0.620/0.238)
	}
}

func TestLabUsage(t *testing.T) {
	for _, args := range [][]string{
		{"lab", "--profile", "mars"},
		{"lab", "--scenario", "nope"},
		{"lab", "--scenario", "ka60-noprewarm", "--time-scale", "200"},
		{"lab", "--probes", "0"},
		{"lab", "extra"},
		{"lab", "serve", "--keepalive", "500s"},
	} {
		if code, out, errOut := runCLI(args...); code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errOut)
		}
	}
	if code, out, _ := runCLI("lab", "--help"); code != 0 || !strings.Contains(out, "--time-scale") && !strings.Contains(out, "-time-scale") {
		t.Errorf("lab --help: %d %s", code, out)
	}
}
