package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

func TestSpeedup(t *testing.T) {
	failed := scenario("failed", 5*time.Second, false, 3, nil, nil)
	tests := []struct {
		name               string
		baseline, improved string
		extra              []Scenario
		want               float64
	}{
		{"seed experiment", "ka5-noprewarm", "ka60-prewarm", nil, 0.62 / 0.24},
		{"inverted", "ka60-prewarm", "ka5-noprewarm", nil, 0.24 / 0.62},
		{"missing baseline", "nope", "ka60-prewarm", nil, 0},
		{"missing improved", "ka5-noprewarm", "", nil, 0},
		{"improved without a response", "ka5-noprewarm", "failed", []Scenario{failed}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testReport()
			r.Scenarios = append(r.Scenarios, tt.extra...)
			r.Baseline, r.Improved = tt.baseline, tt.improved
			if got := r.Speedup(); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Speedup() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPublishedSpeedup(t *testing.T) {
	r := testReport()
	if got, want := r.PublishedSpeedup(), 0.620/0.238; math.Abs(got-want) > 1e-9 {
		t.Errorf("PublishedSpeedup() = %v, want %v", got, want)
	}
	r.Reference = r.Reference[:1]
	if got := r.PublishedSpeedup(); got != 0 {
		t.Errorf("PublishedSpeedup() with one reference = %v, want 0", got)
	}
}

func TestSummaryComputedWhenLeftZero(t *testing.T) {
	r := testReport()
	for i := range r.Scenarios {
		r.Scenarios[i].Summary = probe.Summary{}
	}
	if got := r.Speedup(); math.Abs(got-0.62/0.24) > 1e-9 {
		t.Errorf("Speedup() with zero summaries = %v, want %v", got, 0.62/0.24)
	}
}

func TestCheckRejectsCollidingNames(t *testing.T) {
	tests := []struct {
		name  string
		names []string
	}{
		{"empty name", []string{"a", ""}},
		{"duplicate", []string{"a", "a"}},
		{"same file name", []string{"a b", "a/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			for _, n := range tt.names {
				r.Scenarios = append(r.Scenarios, Scenario{Name: n})
			}
			if err := r.check(); !errors.Is(err, ErrInvalidReport) {
				t.Errorf("check() = %v, want ErrInvalidReport", err)
			}
			if _, err := WriteDir(t.TempDir(), r); !errors.Is(err, ErrInvalidReport) {
				t.Errorf("WriteDir() = %v, want ErrInvalidReport", err)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, testReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	rows := map[string][]string{}
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasPrefix(f[0], "ka") {
			rows[f[0]] = f
		}
	}
	// scenario, keep-alive (2 fields), origin idle (2), prewarm, hosts, probes, errors,
	// total p50, total p90, TLS p50, first byte p50, warm ratio (2), prewarm cold.
	tests := []struct {
		scenario string
		want     []string
	}{
		{"ka5-noprewarm", []string{"ka5-noprewarm", "5", "s", "75", "s", "no", "4", "20", "0", "0.620", "0.622", "0.041", "0.619", "0.00", "(0/20)", "-"}},
		{"ka60-prewarm", []string{"ka60-prewarm", "60", "s", "75", "s", "8", "req/POP", "4", "20", "0", "0.240", "0.242", "0.041", "0.239", "1.00", "(20/20)", "0.00"}},
	}
	for _, tt := range tests {
		if got := rows[tt.scenario]; strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("row %s:\n got %q\nwant %q\ntable:\n%s", tt.scenario, got, tt.want, out)
		}
	}
	for _, want := range []string{
		"profile hkg-fra (viewers in Hong Kong, origin in Frankfurt)\nviewer RTT 20 ms, origin RTT 190 ms, probes every 90 s, time scale \u00f760 ",
		"speedup 2.58\u00d7: median Total ka5-noprewarm 0.620 s \u00f7 ka60-prewarm 0.240 s (published 2.61\u00d7)",
		"ka5-noprewarm: published 0.620 s, lab 0.620 s (+0.0%) [seed document, Hong Kong \u2192 Frankfurt]",
		"ka60-prewarm: published 0.238 s, lab 0.240 s (+0.8%)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteTableWithoutSpeedup(t *testing.T) {
	r := testReport()
	r.Improved = "missing"
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "speedup: n/a") {
		t.Errorf("table does not say the speedup is not computable:\n%s", b.String())
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		p    float64
		want string
	}{
		{0, "+0.0%"}, {-0.01, "+0.0%"}, {-0.3, "\u22120.3%"}, {12.34, "+12.3%"},
	}
	for _, tt := range tests {
		if got := percent(tt.p); got != tt.want {
			t.Errorf("percent(%v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0, 1}, {-1, 1}, {math.NaN(), 1}, {0.7236, 0.8}, {0.26, 0.3}, {1, 1}, {1.01, 1.2}, {1710, 2000}, {0.669 * 1.08, 0.8},
	}
	for _, tt := range tests {
		if got := niceCeil(tt.in); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestWriteSummaryJSON(t *testing.T) {
	r := testReport()
	r.Scenarios = append(r.Scenarios, scenario("no-server-timing", 5*time.Second, false, 4, jitter(coldTotal), always(cloudfront.OriginUnknown)))
	var b bytes.Buffer
	if err := WriteSummaryJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Schema    *int     `json:"schema"`
		Profile   *string  `json:"profile"`
		Speedup   *float64 `json:"speedup"`
		TimeScale float64  `json:"time_scale"`
		OriginRTT float64  `json:"origin_rtt_s"`
		Scenarios []struct {
			Name             *string  `json:"name"`
			KeepAlive        *float64 `json:"keepalive_s"`
			Prewarm          *bool    `json:"prewarm"`
			Probes           *int     `json:"probes"`
			TotalP50         *float64 `json:"total_p50_s"`
			TotalP90         *float64 `json:"total_p90_s"`
			WarmRatio        *float64 `json:"origin_warm_ratio"`
			TLSP50           float64  `json:"tls_p50_s"`
			FirstByteP50     float64  `json:"first_byte_p50_s"`
			PrewarmColdRatio *float64 `json:"prewarm_cold_ratio"`
			Summary          struct {
				OK int `json:"ok"`
			} `json:"summary"`
		} `json:"scenarios"`
		References []struct {
			Scenario    string   `json:"scenario"`
			Lab         *float64 `json:"lab_total_p50_s"`
			DiffPercent *float64 `json:"diff_percent"`
		} `json:"references"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("summary.json does not parse: %v\n%s", err, b.String())
	}
	if got.Schema == nil || *got.Schema != 1 || got.Profile == nil || *got.Profile != "hkg-fra" {
		t.Errorf("schema/profile wrong:\n%s", b.String())
	}
	if got.Speedup == nil || math.Abs(*got.Speedup-0.62/0.24) > 1e-6 {
		t.Errorf("speedup = %v, want %v", got.Speedup, 0.62/0.24)
	}
	if got.TimeScale != testScale || got.OriginRTT != 0.19 {
		t.Errorf("time_scale %v, origin_rtt_s %v; want %v, 0.19", got.TimeScale, got.OriginRTT, testScale)
	}
	if len(got.Scenarios) != 3 {
		t.Fatalf("%d scenarios, want 3:\n%s", len(got.Scenarios), b.String())
	}
	type want struct {
		name             string
		ka               float64
		prewarm          bool
		probes           int
		p50, p90         float64
		warm             *float64
		prewarmColdRatio *float64
	}
	wants := []want{
		{"ka5-noprewarm", 5, false, 20, 0.620, 0.622, ptr(0.0), nil},
		{"ka60-prewarm", 60, true, 20, 0.240, 0.242, ptr(1.0), ptr(0.0)},
		{"no-server-timing", 5, false, 4, 0.6195, 0.6207, nil, nil},
	}
	for i, w := range wants {
		s := got.Scenarios[i]
		if s.Name == nil || s.KeepAlive == nil || s.Prewarm == nil || s.Probes == nil || s.TotalP50 == nil || s.TotalP90 == nil {
			t.Errorf("scenario %d lacks a required field:\n%s", i, b.String())
			continue
		}
		if *s.Name != w.name || *s.KeepAlive != w.ka || *s.Prewarm != w.prewarm || *s.Probes != w.probes {
			t.Errorf("scenario %d = %s ka %v prewarm %v probes %d, want %+v", i, *s.Name, *s.KeepAlive, *s.Prewarm, *s.Probes, w)
		}
		if math.Abs(*s.TotalP50-w.p50) > 1e-6 || math.Abs(*s.TotalP90-w.p90) > 1e-6 {
			t.Errorf("%s: total p50 %v p90 %v, want %v %v", w.name, *s.TotalP50, *s.TotalP90, w.p50, w.p90)
		}
		if !equalPtr(s.WarmRatio, w.warm) {
			t.Errorf("%s: origin_warm_ratio %v, want %v", w.name, deref(s.WarmRatio), deref(w.warm))
		}
		if !equalPtr(s.PrewarmColdRatio, w.prewarmColdRatio) {
			t.Errorf("%s: prewarm_cold_ratio %v, want %v", w.name, deref(s.PrewarmColdRatio), deref(w.prewarmColdRatio))
		}
		if s.TLSP50 != 0.041 || s.Summary.OK != w.probes {
			t.Errorf("%s: tls_p50_s %v, summary.ok %d; want 0.041, %d", w.name, s.TLSP50, s.Summary.OK, w.probes)
		}
	}
	if len(got.References) != 2 || got.References[1].Lab == nil || *got.References[1].Lab != 0.24 ||
		got.References[1].DiffPercent == nil || math.Abs(*got.References[1].DiffPercent-0.84) > 1e-9 {
		t.Errorf("references wrong:\n%s", b.String())
	}
}

func equalPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestWriteResultsJSONL(t *testing.T) {
	r := testReport()
	r.Scenarios = append(r.Scenarios, scenario("quoted \"name\"", 5*time.Second, false, 2, nil, nil))
	var b bytes.Buffer
	if err := WriteResultsJSONL(&b, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 42 {
		t.Fatalf("%d lines, want 42 (one per probe)", len(lines))
	}
	i := 0
	for _, s := range r.Scenarios {
		for _, want := range s.Results {
			var tag struct {
				Scenario    string   `json:"scenario"`
				Experiment  *float64 `json:"experiment_s"`
				Schema      int      `json:"schema"`
				Type        string   `json:"type"`
				UpstreamSec *float64 `json:"upstream_connect_s"`
			}
			var got probe.Result
			if err := json.Unmarshal([]byte(lines[i]), &tag); err != nil {
				t.Fatalf("line %d: %v: %s", i, err, lines[i])
			}
			if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
				t.Fatalf("line %d into probe.Result: %v: %s", i, err, lines[i])
			}
			if tag.Scenario != s.Name || tag.Schema != probe.SchemaVersion || tag.Type != "probe" {
				t.Errorf("line %d: scenario %q schema %d type %q, want %q %d probe", i, tag.Scenario, tag.Schema, tag.Type, s.Name, probe.SchemaVersion)
			}
			if wantX := float64(want.Seq) * testInterval.Seconds(); tag.Experiment == nil || math.Abs(*tag.Experiment-wantX) > 1e-6 {
				t.Errorf("line %d: experiment_s %v, want %v", i, deref(tag.Experiment), wantX)
			}
			if got.Seq != want.Seq || !got.Start.Equal(want.Start) || got.Timings != want.Timings ||
				got.Origin != want.Origin || got.Error != want.Error || got.Kind != want.Kind {
				t.Errorf("line %d does not read back:\n got %+v\nwant %+v", i, got, want)
			}
			if want.Origin == cloudfront.OriginCold && (tag.UpstreamSec == nil || *tag.UpstreamSec != 0.38) {
				t.Errorf("line %d: upstream_connect_s %v, want 0.38", i, deref(tag.UpstreamSec))
			}
			i++
		}
	}
}

func TestTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		n      int
		want   []string // labels
	}{
		{0, 0.8, 8, []string{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8"}},
		{0, 1, 8, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{0, 1, 3, []string{"0.0", "0.5", "1.0"}},
		{0, 1, 4, []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{0, 1740, 8, []string{"0", "250", "500", "750", "1000", "1250", "1500"}},
		{0, 3, 8, []string{"0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"}},
		{0.05, 0.21, 4, []string{"0.05", "0.10", "0.15", "0.20"}},
		{1, 1, 8, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range (ticks{tt.n}).Ticks(tt.lo, tt.hi) {
			if !tk.IsMinor() {
				got = append(got, tk.Label)
			}
			if tk.Value < tt.lo || tk.Value > tt.hi+1e-9 {
				t.Errorf("Ticks(%v, %v): tick %v out of range", tt.lo, tt.hi, tk.Value)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("Ticks(%v, %v, n=%d) labels %q, want %q", tt.lo, tt.hi, tt.n, got, tt.want)
		}
	}
}
