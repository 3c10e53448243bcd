package cloudfront

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseServerTiming(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Metric
	}{
		{"", nil},
		{"cdn-cache-miss", []Metric{{Name: "cdn-cache-miss"}}},
		{`cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=0,cdn-upstream-fbl;dur=191,cdn-cache-miss,cdn-pop;desc="HKG62-C1",cdn-rid;desc="a1b2==",cdn-downstream-fbl;dur=193`,
			[]Metric{
				{Name: "cdn-upstream-layer", Desc: "EDGE"},
				{Name: "cdn-upstream-dns", HasDur: true},
				{Name: "cdn-upstream-connect", HasDur: true},
				{Name: "cdn-upstream-fbl", Dur: 191, HasDur: true},
				{Name: "cdn-cache-miss"},
				{Name: "cdn-pop", Desc: "HKG62-C1"},
				{Name: "cdn-rid", Desc: "a1b2=="},
				{Name: "cdn-downstream-fbl", Dur: 193, HasDur: true},
			}},
		{` db ; dur = 53.2 ; desc = "a, \"quoted\" one" , app;DUR=1.5;dur=9;x=y`,
			[]Metric{{Name: "db", Dur: 53.2, HasDur: true, Desc: `a, "quoted" one`}, {Name: "app", Dur: 1.5, HasDur: true, Params: map[string]string{"x": "y"}}}},
		{"a;dur=abc,b;dur=-1,c", []Metric{{Name: "a"}, {Name: "b"}, {Name: "c"}}},
		{",,;;,good;desc=plain", []Metric{{Name: "good", Desc: "plain"}}},
		{`m;desc="unterminated`, []Metric{{Name: "m", Desc: "unterminated"}}},
	} {
		if got := ParseServerTiming(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseServerTiming(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}

func TestOriginFromMetrics(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want OriginConn
		dur  time.Duration
	}{
		{"cdn-upstream-connect;dur=0", OriginWarm, 0},
		{"CDN-Upstream-Connect;dur=39.5", OriginCold, 39500 * time.Microsecond},
		{"cdn-upstream-connect", OriginUnknown, 0}, // no duration: cannot tell
		{"cdn-upstream-fbl;dur=3", OriginUnknown, 0},
	} {
		got, d := OriginFromMetrics(ParseServerTiming(tc.in))
		if got != tc.want || d != tc.dur {
			t.Errorf("%q: %v %v, want %v %v", tc.in, got, d, tc.want, tc.dur)
		}
	}
}

func FuzzParseServerTiming(f *testing.F) {
	for _, s := range []string{
		`cdn-upstream-layer;desc="EDGE",cdn-upstream-connect;dur=0`,
		`a;dur=1.5;desc="x\"y",b`, `;;,,"`, `m;desc="`, "x;dur=1e309",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms := ParseServerTiming(s)
		for _, m := range ms {
			if m.Name == "" || strings.ContainsAny(m.Name, ",;= \"") {
				t.Fatalf("bad metric name %q from %q", m.Name, s)
			}
			if m.Dur < 0 || (!m.HasDur && m.Dur != 0) {
				t.Fatalf("bad duration %+v from %q", m, s)
			}
		}
		if len(ms) > strings.Count(s, ",")+1 {
			t.Fatalf("%d metrics from %d comma-separated parts", len(ms), strings.Count(s, ",")+1)
		}
		OriginFromMetrics(ms)
	})
}

// What the emulator writes with FormatServerTiming, the probe reads back
// unchanged, in CloudFront's byte form.
func TestFormatServerTiming(t *testing.T) {
	ms := []Metric{
		Description(MetricUpstreamLayer, "EDGE"),
		Duration(MetricUpstreamDNS, 0),
		Duration(MetricUpstreamConnect, 191),
		{Name: MetricCacheMiss},
		Description(MetricPOP, "HKG62-C1"),
		Description(MetricRequestID, `a"b\c==`),
		{Name: "x", Dur: 1.5, HasDur: true, Params: map[string]string{"z": "has space", "a": "tok"}},
	}
	got := FormatServerTiming(ms)
	want := `cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=191,cdn-cache-miss,cdn-pop;desc="HKG62-C1",cdn-rid;desc="a\"b\\c==",x;dur=1.5;a=tok;z="has space"`
	if got != want {
		t.Errorf("FormatServerTiming\n got %s\nwant %s", got, want)
	}
	if back := ParseServerTiming(got); !reflect.DeepEqual(back, ms) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, ms)
	}
}

// Whatever ParseServerTiming makes of a header, formatting it and parsing
// again gives the same metrics.
func FuzzServerTimingRoundTrip(f *testing.F) {
	f.Add(`cdn-upstream-layer;desc="EDGE",cdn-upstream-connect;dur=0,x;a="b c";dur=2`)
	f.Add(`a;desc="q\"\\";p`)
	f.Fuzz(func(t *testing.T, s string) {
		ms := ParseServerTiming(s)
		again := ParseServerTiming(FormatServerTiming(ms))
		if len(ms) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, ms) {
			t.Fatalf("%q: parsed %+v, after a format round trip %+v", s, ms, again)
		}
	})
}
