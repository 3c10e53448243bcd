package report

import (
	"bytes"
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/stats"
)

// standaloneReport is sampleReport with what a lab run records about
// itself: version, command line, seed, start, the POP's TLS time, the
// published phases and the prewarm waves.
func standaloneReport() Report {
	r := sampleReport()
	r.Version = "v1.2.0 (commit 1a2b3c4d5e6f, 2026-11-29T10:15:00Z; go1.26.8)"
	r.Command = []string{"cfprewarm", "lab", "--quick", "--out", "my dir"}
	r.Seed = 1234567
	r.Start = t0.Add(-time.Second)
	r.EdgeTLS = 36 * time.Millisecond
	r.Reference[0].Phases = Phases{TCP: 500 * time.Microsecond, TLS: 38400 * time.Microsecond, FirstByte: 580 * time.Millisecond}
	r.Reference[1].Phases = Phases{TCP: 500 * time.Microsecond, TLS: 38300 * time.Microsecond, FirstByte: 194 * time.Millisecond}
	for i := range 25 { // every 20 s over the 30 min of the experiment, scaled by K
		r.Scenarios[1].Waves = append(r.Scenarios[1].Waves, Wave{
			Start: t0.Add(time.Duration(i)*20*time.Second/testScale - 200*time.Millisecond), Duration: 250 * time.Millisecond,
			Requests: 60, OK: 60, Cold: stats.Ratio{Whole: 60},
		})
	}
	return r
}

// summary.json and report.html say where they came from: version,
// command line, seed and start time.
func TestReportsRecordProvenance(t *testing.T) {
	r := standaloneReport()
	var b bytes.Buffer
	if err := WriteSummaryJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Version string     `json:"version"`
		Command []string   `json:"command"`
		Seed    int64      `json:"seed"`
		Start   *time.Time `json:"start"`
		EdgeTLS float64    `json:"edge_tls_s"`
		Scen    []struct {
			Waves []float64 `json:"prewarm_waves_s"`
		} `json:"scenarios"`
		Refs []struct {
			Phases *struct {
				TCP, TLS, FirstByte float64
			} `json:"published_phases"`
		} `json:"references"`
	}
	if err := json.Unmarshal(b.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Version != r.Version || strings.Join(sum.Command, " ") != "cfprewarm lab --quick --out my dir" ||
		sum.Seed != 1234567 || sum.Start == nil || !sum.Start.Equal(r.Start) || sum.EdgeTLS != 0.036 {
		t.Errorf("summary.json provenance: %+v", sum)
	}
	if w := sum.Scen[1].Waves; len(w) != 25 || w[0] >= 0 || w[1] <= 0 {
		t.Errorf("prewarm waves of ka60-prewarm: %v; want 25, the first before the first probe", w)
	}
	if len(sum.Scen[0].Waves) != 0 || sum.Refs[0].Phases == nil {
		t.Errorf("waves without prewarm %v, published phases %v", sum.Scen[0].Waves, sum.Refs[0].Phases)
	}

	b.Reset()
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := html.UnescapeString(b.String())
	for _, want := range []string{
		"cfprewarm lab --quick --out 'my dir'", r.Version, "1234567 (--seed 1234567", "2025-03-14 08:59:59 UTC",
		"POP TLS handshake</dt><dd>36 ms", "prewarm wave: 25",
		`<a href="#how-to-read">How to read this</a>`, `id="how-to-read"`, `id="phases"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// The phase chart has a bar per scenario and origin state, and one per
// published reference; a cold bar's origin segment is cdn-upstream-connect,
// a warm bar has none.
func TestPhaseBars(t *testing.T) {
	bars := standaloneReport().phaseBars()
	byLabel := map[string]phaseBar{}
	var labels []string
	for _, b := range bars {
		byLabel[b.label] = b
		labels = append(labels, b.label)
	}
	want := []string{"ka5-noprewarm, published", "ka5-noprewarm, cold (20)", "ka60-prewarm, published", "ka60-prewarm, warm (20)",
		"ka60-noprewarm, cold (20)", "prewarm-partial, warm (11)", "prewarm-partial, cold (7)", "prewarm-partial, unknown (1)"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Fatalf("bars %q\nwant %q", labels, want)
	}
	cold, warm, pub := byLabel["ka5-noprewarm, cold (20)"], byLabel["ka60-prewarm, warm (20)"], byLabel["ka5-noprewarm, published"]
	if cold.originConnect != 380*time.Millisecond || warm.originConnect != 0 || cold.tcp != 20*time.Millisecond || cold.tls != 20*time.Millisecond {
		t.Errorf("cold %+v, warm %+v", cold, warm)
	}
	if pub.published != 580*time.Millisecond || pub.originConnect != 0 || pub.rest != 0 || pub.tls != 38400*time.Microsecond {
		t.Errorf("published bar %+v", pub)
	}
}

// Legends sit in rows above the plot: on a report's widest legend they take
// a small part of the chart's height and none of its width.
func TestLegendsDoNotCrowdThePlot(t *testing.T) {
	charts, err := standaloneReport().charts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		w := c.w - 2*8 // the chart's padding, in points
		if h := c.legend.height(w); h > c.h/4 {
			t.Errorf("%s: legend %v tall in a %v chart", c.file, h, c.h)
		}
		for _, row := range c.legend.rows(w) {
			var used float64
			for _, e := range row {
				used += float64(c.legend.entryWidth(e))
			}
			if used > float64(w) {
				t.Errorf("%s: a legend row is wider than the chart", c.file)
			}
		}
	}
}
