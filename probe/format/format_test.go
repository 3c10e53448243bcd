package format

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

func sample() probe.Result {
	ms := func(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }
	return probe.Result{
		Seq: 3, Start: time.Date(2026, 11, 25, 3, 20, 0, 0, time.UTC), URL: "https://api.example.com/",
		Status: 200, Proto: "HTTP/2.0", RemoteAddr: "127.0.0.2:443", BodyBytes: 53,
		Timings:    probe.Timings{NameLookup: ms(1.5), Connect: ms(21.25), AppConnect: ms(40.125), StartTransfer: ms(619.5), Total: ms(620.063)},
		CloudFront: cloudfront.Headers{ID: "Xq1_abc==", POP: "HKG62-C1", Cache: "Miss from cloudfront"},
		Origin:     cloudfront.OriginCold, UpstreamConnect: ms(381),
		ServerTiming: []cloudfront.Metric{{Name: "cdn-upstream-connect", Dur: 381, HasDur: true}},
	}
}

func TestCheckURLTimingLine(t *testing.T) {
	want := "Total: 0.620063, DNS: 0.001500, TCP: 0.021250, SSL: 0.040125, Request: 0.619500, x-amz-cf-id: Xq1_abc=="
	if got := CheckURLTimingLine(sample()); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestHumanLine(t *testing.T) {
	got := HumanLine(sample())
	for _, part := range []string{"   3  200  total  620.1ms", "dns    1.5ms", "tcp   19.8ms", "tls   18.9ms", "ttfb  579.4ms", "origin cold 381.0ms", "HKG62-C1", "h2"} {
		if !strings.Contains(got, part) {
			t.Errorf("%q lacks %q", got, part)
		}
	}
	failed := probe.Result{Seq: 4, Error: "dns: lookup x: no such host", Phase: probe.PhaseDNS, Kind: cloudfront.KindDNS}
	if got := HumanLine(failed); !strings.Contains(got, "ERR") || !strings.Contains(got, "no such host") {
		t.Errorf("failed line %q", got)
	}
}

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, JSON)
	w.Write(sample())
	w.Write(sample())
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	timings := m["timings"].(map[string]any)
	phases := m["phases"].(map[string]any)
	if m["schema"] != float64(probe.SchemaVersion) || m["type"] != "probe" || m["origin"] != "cold" || timings["total_s"] != 0.620063 ||
		phases["tls_s"] != 0.018875 || m["upstream_connect_s"] != 0.381 || m["cloudfront"].(map[string]any)["pop"] != "HKG62-C1" {
		t.Errorf("json line: %s", lines[0])
	}
	var back probe.Result
	if err := json.Unmarshal([]byte(lines[0]), &back); err != nil || back.Timings.Total != 620063*time.Microsecond {
		t.Errorf("round trip: %v %+v", err, back.Timings)
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, CSV)
	w.Write(sample())
	w.Write(probe.Result{Seq: 4, Error: `tls: bad, "quoted"`, Phase: probe.PhaseTLS, Kind: cloudfront.KindTLS})
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("rows %v", rows)
	}
	col := func(row []string, name string) string {
		for i, h := range CSVHeader {
			if h == name {
				return row[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if col(rows[1], "total_s") != "0.620063" || col(rows[1], "origin") != "cold" || col(rows[1], "tls_s") != "0.018875" {
		t.Errorf("row 1 %v", rows[1])
	}
	if col(rows[2], "error") != `tls: bad, "quoted"` || col(rows[2], "failed_phase") != "tls" || col(rows[2], "status") != "" {
		t.Errorf("row 2 %v", rows[2])
	}
}

func TestSummaryText(t *testing.T) {
	warm := sample()
	warm.Origin, warm.UpstreamConnect = cloudfront.OriginWarm, 0
	warm.Timings.Total = 240 * time.Millisecond
	s := probe.Summarize([]probe.Result{sample(), warm, {Error: "x", Kind: cloudfront.KindTimeout}})
	var buf bytes.Buffer
	WriteSummary(&buf, "https://api.example.com/", s)
	out := buf.String()
	for _, part := range []string{"3 probes, 2 ok, 1 errors (timeout 1)", "phase (s)", "total", "1 warm (reused), 1 cold (new)", "latency gain", "POPs: HKG62-C1 (2)"} {
		if !strings.Contains(out, part) {
			t.Errorf("summary lacks %q:\n%s", part, out)
		}
	}
	buf.Reset()
	WriteSummaryJSON(&buf, "u", s)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil || m["type"] != "summary" || m["origin"].(map[string]any)["warm_ratio"] != 0.5 {
		t.Errorf("summary json %v: %s", err, buf.String())
	}
}

func TestParseName(t *testing.T) {
	for in, want := range map[string]Name{"human": Human, "check-url-timing": CheckURLTiming, "seed": CheckURLTiming, "json": JSON, "csv": CSV} {
		if got, err := ParseName(in); err != nil || got != want {
			t.Errorf("ParseName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseName("xml")
	if err == nil {
		t.Fatal("xml accepted")
	}
	for _, n := range Names { // the message lists every format
		if !strings.Contains(err.Error(), string(n)) {
			t.Errorf("error %q does not name %s", err, n)
		}
	}
}
