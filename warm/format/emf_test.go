package format_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
)

// emfUnits are the units CloudWatch accepts in an EMF metric definition.
var emfUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None"}

// emfRecord is one parsed EMF line: the root object and its metric names.
type emfRecord struct {
	root    map[string]any
	metrics map[string]string // name → unit, of every directive
	dims    [][]string        // the first directive's dimension sets
	// directives are the dimension sets of each directive.
	directives [][][]string
	ns         string
	ts         time.Time
}

// parseEMF parses lines of EMF and checks each against the specification
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
// _aws with Timestamp (epoch ms) and CloudWatchMetrics directives holding
// Namespace, Dimensions (arrays of at most 30 names, each a string member
// of the root) and Metrics (at most 100, each Name a numeric member of the
// root, Unit one of CloudWatch's units).
func parseEMF(t *testing.T, out []byte) []emfRecord {
	t.Helper()
	var recs []emfRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var root map[string]any
		if err := json.Unmarshal(line, &root); err != nil {
			t.Fatalf("EMF line is not a JSON object: %v\n%s", err, line)
		}
		var meta struct {
			AWS *struct {
				Timestamp         *int64 `json:"Timestamp"`
				CloudWatchMetrics []struct {
					Namespace  string     `json:"Namespace"`
					Dimensions [][]string `json:"Dimensions"`
					Metrics    []struct {
						Name string `json:"Name"`
						Unit string `json:"Unit"`
					} `json:"Metrics"`
				} `json:"CloudWatchMetrics"`
			} `json:"_aws"`
		}
		if err := json.Unmarshal(line, &meta); err != nil || meta.AWS == nil || meta.AWS.Timestamp == nil {
			t.Fatalf("EMF line without _aws.Timestamp: %v\n%s", err, line)
		}
		if len(meta.AWS.CloudWatchMetrics) == 0 {
			t.Fatalf("want CloudWatchMetrics directives: %s", line)
		}
		rec := emfRecord{root: root, metrics: map[string]string{}, dims: meta.AWS.CloudWatchMetrics[0].Dimensions,
			ns: meta.AWS.CloudWatchMetrics[0].Namespace, ts: time.UnixMilli(*meta.AWS.Timestamp)}
		for _, d := range meta.AWS.CloudWatchMetrics {
			rec.directives = append(rec.directives, d.Dimensions)
			if d.Namespace == "" || len(d.Namespace) > 255 {
				t.Errorf("bad Namespace %q", d.Namespace)
			}
			if len(d.Dimensions) == 0 {
				t.Errorf("no Dimensions: %s", line)
			}
			for _, set := range d.Dimensions {
				if len(set) == 0 || len(set) > 30 {
					t.Errorf("dimension set %v: want 1 to 30 names", set)
				}
				for _, name := range set {
					if v, ok := root[name].(string); !ok || v == "" {
						t.Errorf("dimension %s: want a non-empty string member of the root, got %#v", name, root[name])
					}
				}
			}
			if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
				t.Errorf("%d metrics: want 1 to 100", len(d.Metrics))
			}
			for _, m := range d.Metrics {
				if _, ok := root[m.Name].(float64); !ok {
					t.Errorf("metric %s: want a number in the root, got %#v", m.Name, root[m.Name])
				}
				if !slices.Contains(emfUnits, m.Unit) {
					t.Errorf("metric %s: unit %q is not a CloudWatch unit", m.Name, m.Unit)
				}
				rec.metrics[m.Name] = m.Unit
			}
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestWriteEMF(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	okReq := func(origin cloudfront.OriginConn, ms int) warm.Record {
		return warm.Record{POP: "HKG54-C1", Result: probe.Result{Status: 200, CloudFront: cloudfront.Headers{POP: "HKG54-C1"}, Origin: origin,
			Timings: probe.Timings{Total: time.Duration(ms) * time.Millisecond}}}
	}
	hkg := []warm.Record{okReq(cloudfront.OriginCold, 40), okReq(cloudfront.OriginWarm, 10), okReq(cloudfront.OriginWarm, 20), okReq(cloudfront.OriginWarm, 30)}
	nrt := []warm.Record{{POP: "NRT57-P2", Result: probe.Result{Kind: cloudfront.KindDNS}}, {POP: "NRT57-P2", Result: probe.Result{Kind: cloudfront.KindDNS}}}
	res := &warm.Result{Distribution: "d111111abcdef8.cloudfront.net", Host: "api.example.com", WavesPlanned: 2}
	for i := range 2 {
		res.Waves = append(res.Waves, warm.Wave{Index: i + 1, Start: start.Add(time.Duration(i) * 20 * time.Second), POPs: []warm.POPResult{
			{POP: "HKG54-C1", Requests: hkg, Stats: warm.Summarize(hkg)},
			{POP: "NRT57-P2", ResolveError: "lookup x: no such host", Requests: nrt, Stats: warm.Summarize(nrt)},
		}})
	}

	var buf bytes.Buffer
	if err := format.WriteEMF(&buf, res, format.Options{Metrics: format.MetricsFull}); err != nil {
		t.Fatal(err)
	}
	recs := parseEMF(t, buf.Bytes())
	if len(recs) != 4 {
		t.Fatalf("%d EMF lines, want one per POP per wave (4)", len(recs))
	}
	h := recs[0]
	if h.ns != "CFPrewarm" || !slices.EqualFunc(h.dims, [][]string{{"Distribution", "POP"}, {"Distribution"}}, slices.Equal) {
		t.Errorf("namespace %q dimensions %v", h.ns, h.dims)
	}
	if !h.ts.Equal(start) || !recs[2].ts.Equal(start.Add(20*time.Second)) {
		t.Errorf("timestamps %v %v: want each wave's start", h.ts, recs[2].ts)
	}
	wantUnits := map[string]string{"Requests": "Count", "Errors": "Count", "OriginColdRatio": "None",
		"LatencyP50": "Milliseconds", "LatencyP99": "Milliseconds"}
	for name, unit := range wantUnits {
		if h.metrics[name] != unit {
			t.Errorf("metric %s unit %q, want %q", name, h.metrics[name], unit)
		}
	}
	for name, want := range map[string]any{"Distribution": "d111111abcdef8.cloudfront.net", "POP": "HKG54-C1",
		"Requests": 4.0, "Errors": 0.0, "OriginColdRatio": 0.25, "LatencyP50": 25.0, "Wave": 1.0, "Host": "api.example.com"} {
		if h.root[name] != want {
			t.Errorf("%s = %#v, want %#v", name, h.root[name], want)
		}
	}
	n := recs[1]
	if n.root["POP"] != "NRT57-P2" || n.root["Requests"] != 2.0 || n.root["Errors"] != 2.0 {
		t.Errorf("unresolved POP line: %v", n.root)
	}
	for _, absent := range []string{"OriginColdRatio", "LatencyP50", "LatencyP99"} {
		if _, ok := n.metrics[absent]; ok {
			t.Errorf("unresolved POP: metric %s declared without a value to report", absent)
		}
	}
	if !strings.Contains(n.root["ResolveError"].(string), "no such host") {
		t.Errorf("ResolveError %v", n.root["ResolveError"])
	}
}

func TestWriteEMFOptions(t *testing.T) {
	res := &warm.Result{Distribution: "d1.cloudfront.net", Waves: []warm.Wave{{Index: 1, Start: time.Now(),
		POPs: []warm.POPResult{{POP: "HKG54-C1"}}}}}
	var buf bytes.Buffer
	err := format.WriteEMF(&buf, res, format.Options{Namespace: "Team/Edge", Dimensions: []format.Dimension{{"Region", "ap-east-1"}}, Metrics: format.MetricsFull})
	if err != nil {
		t.Fatal(err)
	}
	recs := parseEMF(t, buf.Bytes())
	if len(recs) != 1 || recs[0].ns != "Team/Edge" {
		t.Fatalf("records %+v", recs)
	}
	want := [][]string{{"Distribution", "POP", "Region"}, {"Distribution", "Region"}}
	if !slices.EqualFunc(recs[0].dims, want, slices.Equal) || recs[0].root["Region"] != "ap-east-1" {
		t.Errorf("dimensions %v root %v", recs[0].dims, recs[0].root)
	}
	for _, bad := range []format.Dimension{{"POP", "x"}, {"", "x"}, {"Region", ""}} {
		if err := format.WriteEMF(&buf, res, format.Options{Dimensions: []format.Dimension{bad}}); err == nil {
			t.Errorf("dimension %v accepted", bad)
		}
	}
}

// A POP's sizing: the host metrics in a directive of their own with the
// per-POP dimension set only, the rest as properties.
func TestWriteEMFSizing(t *testing.T) {
	res := &warm.Result{Distribution: "d1.cloudfront.net", Waves: []warm.Wave{{Index: 1, Start: time.Now(), POPs: []warm.POPResult{
		{POP: "HKG54-C1", Sizing: warm.Sizing{Mode: warm.SizingAdaptive, Requests: 18, Hosts: 8, HostsFrom: warm.HostsFromEstimate,
			PredictedCoverage: 0.9, Factor: 0.5, EdgeHostsSeen: 8, EdgeHosts: &warm.HostEstimate{Hosts: 8, Low: 8, High: 9},
			EdgeHostsVerdict: edgehosts.VerdictPerHost, Reach: &edgehosts.Reach{Hosts: 8, Reached: 7, Missed: 1, ColdOfReached: 4}}},
		{POP: "FRA56-P3", ClientSubnet: "198.51.100.0/24", Sizing: warm.Sizing{Mode: warm.SizingAuto, Requests: 72, Hosts: 16,
			HostsFrom: warm.HostsFromAssumed, PredictedCoverage: 0.99, EdgeHostsSeen: 1, EdgeHostsNote: "constant: ...",
			EdgeHostsVerdict: edgehosts.VerdictConstant}},
	}}}}
	var buf bytes.Buffer
	if err := format.WriteEMF(&buf, res, format.Options{Dimensions: []format.Dimension{{"Region", "ap-east-1"}}, Metrics: format.MetricsFull}); err != nil {
		t.Fatal(err)
	}
	recs := parseEMF(t, buf.Bytes())
	hkg, fra := recs[0], recs[1]
	if len(hkg.directives) != 2 || !slices.EqualFunc(hkg.directives[1], [][]string{{"Distribution", "POP", "Region"}}, slices.Equal) {
		t.Errorf("directives %v: want a second one with only the per-POP dimension set", hkg.directives)
	}
	if hkg.metrics["EdgeHostsSeen"] != "Count" || hkg.metrics["EdgeHostsEstimate"] != "Count" || hkg.root["EdgeHostsEstimate"] != 8.0 ||
		hkg.root["RequestsPlanned"] != 18.0 || hkg.root["PredictedCoverage"] != 0.9 || hkg.root["SizingMode"] != "adaptive" || hkg.root["AdaptFactor"] != 0.5 {
		t.Errorf("sizing in the EMF line: metrics %v root %v", hkg.metrics, hkg.root)
	}
	if hkg.root["HostsMissed"] != 1.0 || hkg.root["ColdOfReached"] != 4.0 || hkg.root["EdgeHostsVerdict"] != "per-host" {
		t.Errorf("reach in the EMF line: root %v", hkg.root)
	}
	// A suspect estimate is shown as such: the verdict, and where the
	// planned host count came from instead.
	if _, ok := fra.metrics["EdgeHostsEstimate"]; ok || fra.root["ClientSubnet"] != "198.51.100.0/24" || fra.root["EdgeHostsSeen"] != 1.0 ||
		fra.root["EdgeHostsVerdict"] != "constant" || fra.root["HostsFrom"] != "assumed" {
		t.Errorf("no estimate: metrics %v root %v", fra.metrics, fra.root)
	}
}

// The metric levels: lean (the default) makes per POP only OriginColdRatio
// a metric and the rest per distribution, full makes every metric per POP
// too; the custom metrics CloudWatch would create from the lines (each
// distinct name, dimension names and values) are CustomMetrics's count,
// and every value stays in the lines either way.
func TestMetricLevels(t *testing.T) {
	const pops = 9
	res := &warm.Result{Distribution: "d1.cloudfront.net"}
	for i := range 3 {
		w := warm.Wave{Index: i + 1, Start: time.Now()}
		for p := range pops {
			code := fmt.Sprintf("POP%d-C1", p)
			recs := []warm.Record{{POP: code, Result: probe.Result{Status: 200, Origin: cloudfront.OriginWarm, Timings: probe.Timings{Total: time.Millisecond}}}}
			w.POPs = append(w.POPs, warm.POPResult{POP: code, Requests: recs, Stats: warm.Summarize(recs),
				Sizing: warm.Sizing{Mode: warm.SizingAuto, Requests: 1, Hosts: 8, EdgeHostsSeen: 1, EdgeHosts: &warm.HostEstimate{Hosts: 8, Low: 1, High: 20}}})
		}
		res.Waves = append(res.Waves, w)
	}
	for _, c := range []struct {
		level  warm.MetricLevel
		want   int
		perPOP []string
	}{
		{"", pops + 5, []string{"OriginColdRatio"}},
		{format.MetricsLean, pops + 5, []string{"OriginColdRatio"}},
		{format.MetricsFull, 7*pops + 5, []string{"EdgeHostsEstimate", "EdgeHostsSeen", "Errors", "LatencyP50", "LatencyP99", "OriginColdRatio", "Requests"}},
	} {
		var buf bytes.Buffer
		if err := format.WriteEMF(&buf, res, format.Options{Metrics: c.level, Dimensions: []format.Dimension{{"Region", "ap-east-1"}}}); err != nil {
			t.Fatal(err)
		}
		metrics := map[string]bool{}
		perPOP := map[string]bool{}
		var raw []map[string]any
		for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
			var root map[string]any
			json.Unmarshal(line, &root)
			raw = append(raw, root)
		}
		for i, rec := range parseEMF(t, buf.Bytes()) {
			for _, d := range raw[i]["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
				d := d.(map[string]any)
				for _, set := range d["Dimensions"].([]any) {
					key := ""
					for _, name := range set.([]any) {
						key += fmt.Sprintf("%s=%s,", name, rec.root[name.(string)])
						if name == "POP" {
							for _, m := range d["Metrics"].([]any) {
								perPOP[m.(map[string]any)["Name"].(string)] = true
							}
						}
					}
					for _, m := range d["Metrics"].([]any) {
						metrics[m.(map[string]any)["Name"].(string)+"|"+key] = true
					}
				}
			}
			for _, name := range []string{"Requests", "Errors", "LatencyP50", "EdgeHostsSeen", "EdgeHostsEstimate", "OriginColdRatio"} {
				if _, ok := rec.root[name].(float64); !ok {
					t.Errorf("%q: %s missing from the line", c.level, name)
				}
			}
		}
		if len(metrics) != c.want || format.CustomMetrics(c.level, pops) != c.want {
			t.Errorf("%q: %d custom metrics, CustomMetrics says %d, want %d", c.level, len(metrics), format.CustomMetrics(c.level, pops), c.want)
		}
		if got := slices.Sorted(maps.Keys(perPOP)); !slices.Equal(got, c.perPOP) {
			t.Errorf("%q: per-POP metrics %v, want %v", c.level, got, c.perPOP)
		}
	}
	if err := format.WriteEMF(io.Discard, res, format.Options{Metrics: "some"}); err == nil {
		t.Error("an unknown level accepted")
	}
	if _, err := warm.ParseMetricLevel("Full"); err == nil {
		t.Error("ParseMetricLevel(Full) accepted")
	}
}
