package probe

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestSummarize(t *testing.T) {
	res := func(total float64, o cloudfront.OriginConn, pop string) Result {
		return Result{Status: 200, Origin: o, CloudFront: cloudfront.Headers{POP: pop},
			Timings: Timings{NameLookup: ms(1), Connect: ms(10), AppConnect: ms(20), StartTransfer: ms(total - 1), Total: ms(total)}}
	}
	results := []Result{
		res(240, cloudfront.OriginWarm, "HKG62-C1"), res(236, cloudfront.OriginWarm, "HKG62-C1"),
		res(620, cloudfront.OriginCold, "HKG62-C1"), res(624, cloudfront.OriginCold, "HKG54-C1"),
		res(300, cloudfront.OriginUnknown, ""),
		{Status: 503, Timings: Timings{Total: ms(5)}},
		{Error: "dns: no such host", Kind: cloudfront.KindDNS, Phase: PhaseDNS},
	}
	s := Summarize(results)
	if s.Requests != 7 || s.OK != 6 || s.Errors != 1 || s.ErrorsByKind[cloudfront.KindDNS] != 1 || s.Non2xx != 1 {
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
	if v, ok := o.WarmRatio().Value(); !ok || v != 0.5 {
		t.Errorf("warm ratio %v", o.WarmRatio())
	}
	if s.POPs["HKG62-C1"] != 3 || s.SortedPOPs()[0] != "HKG62-C1" {
		t.Errorf("pops %v", s.POPs)
	}
	if s.Phases.TLS.P50 != ms(10) || s.Timings.Total.N != 6 {
		t.Errorf("phases %+v total n %d", s.Phases.TLS, s.Timings.Total.N)
	}
}

// A cold mean of 0 (timings lost, or a clock that did not move) leaves the
// gain's percentage at 0 instead of NaN or -Inf, which JSON cannot encode.
func TestGainPercentWithoutColdTime(t *testing.T) {
	for _, warmTotal := range []time.Duration{0, ms(5)} {
		s := Summarize([]Result{
			{Status: 200, Origin: cloudfront.OriginWarm, Timings: Timings{Total: warmTotal}},
			{Status: 200, Origin: cloudfront.OriginCold},
		})
		if p := s.Origin.GainPercent; p != 0 {
			t.Errorf("warm %v, cold 0: gain percent %v, want 0", warmTotal, p)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Errorf("warm %v, cold 0: the summary does not encode: %v", warmTotal, err)
		}
	}
}
