package probe

import (
	"testing"
	"time"
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestDistribution(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // 1..100 ms, unsorted
		ds = append(ds, ms(float64(i)))
	}
	d := Distribution(ds)
	want := Dist{N: 100, Min: ms(1), P50: ms(50.5), P90: ms(90.1), P99: ms(99.01), Max: ms(100), Mean: ms(50.5)}
	if d != want {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	if ds[0] != ms(100) {
		t.Error("Distribution sorted its input")
	}
	if (Distribution(nil) != Dist{}) {
		t.Error("empty input should give the zero Dist")
	}
	if d := Distribution([]time.Duration{ms(7)}); d.P50 != ms(7) || d.P99 != ms(7) {
		t.Errorf("single value: %+v", d)
	}
}

func TestSummarize(t *testing.T) {
	res := func(total float64, o OriginConn, pop string) Result {
		return Result{Status: 200, Origin: o, CloudFront: CloudFront{POP: pop},
			Timings: Timings{NameLookup: ms(1), Connect: ms(10), AppConnect: ms(20), StartTransfer: ms(total - 1), Total: ms(total)}}
	}
	results := []Result{
		res(240, OriginWarm, "HKG62-C1"), res(236, OriginWarm, "HKG62-C1"),
		res(620, OriginCold, "HKG62-C1"), res(624, OriginCold, "HKG54-C1"),
		res(300, OriginUnknown, ""),
		{Status: 503, Timings: Timings{Total: ms(5)}},
		{Error: "dns: no such host", Kind: KindDNS, Phase: PhaseDNS},
	}
	s := Summarize(results)
	if s.Probes != 7 || s.OK != 6 || s.Errors != 1 || s.ErrorsByKind[KindDNS] != 1 || s.Non2xx != 1 {
		t.Errorf("counts: %+v", s)
	}
	o := s.Origin
	if o.Warm != 2 || o.Cold != 2 || o.Unknown != 2 {
		t.Errorf("origin counts %+v", o)
	}
	if o.WarmTotal.Mean != ms(238) || o.ColdTotal.Mean != ms(622) || o.Gain != ms(384) {
		t.Errorf("warm mean %v cold mean %v gain %v", o.WarmTotal.Mean, o.ColdTotal.Mean, o.Gain)
	}
	if pct := o.GainPercent; pct < 61.7 || pct > 61.8 {
		t.Errorf("gain percent %.3f, want 61.74", pct)
	}
	if o.WarmRatio() != 0.5 {
		t.Errorf("warm ratio %v", o.WarmRatio())
	}
	if s.POPs["HKG62-C1"] != 3 || s.SortedPOPs()[0] != "HKG62-C1" {
		t.Errorf("pops %v", s.POPs)
	}
	if s.Phases.TLS.P50 != ms(10) || s.Timings.Total.N != 6 {
		t.Errorf("phases %+v total n %d", s.Phases.TLS, s.Timings.Total.N)
	}
}
