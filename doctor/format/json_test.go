package format_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/doctor"
	"github.com/cfprewarm/cfprewarm/doctor/format"
	"github.com/cfprewarm/cfprewarm/stats"
)

var update = flag.Bool("update", false, "rewrite testdata/report.json from the current output")

// full is sample with every duration of the JSON form set, some to the
// nanosecond (rounded to the microsecond in the document), and a POP whose
// keep-alive search found nothing (its durations 0).
func full() *doctor.Report {
	r := sample()
	r.Start = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)
	r.Duration = stats.Seconds(95*time.Second + 123456789)
	r.Budget.MaxWait = stats.Seconds(7*time.Minute + 30*time.Second + 499)
	ka := r.POPs[0].KeepAlive
	ka.K, ka.WarmAt, ka.ColdAt = stats.Seconds(20*time.Second+500_001), stats.Seconds(19*time.Second+1), stats.Seconds(21*time.Second+999_999)
	ka.Trials = append(ka.Trials, doctor.Trial{Gap: stats.Seconds(22 * time.Second), Age: stats.Seconds(22*time.Second + 31_415_926), WarmShare: 0.25, By: "answers", Requests: 48})
	pe := r.POPs[0].Penalty
	pe.ColdFirstByte, pe.WarmFirstByte, pe.Penalty = 580_123_456, 194_000_499, 386_122_957
	pe.OriginRTT, pe.UpstreamConnect, pe.ConnectRTT = 193_061_478, 390_000_501, 195_000_250
	r.POPs[1].KeepAlive = &doctor.KeepAlive{Why: "interrupted", Requests: 51,
		Trials: []doctor.Trial{{Gap: stats.Seconds(time.Second), Age: stats.Seconds(time.Second), Warm: true, WarmShare: 1, By: "hosts", Requests: 51}}}
	r.POPs[1].Penalty = &doctor.Penalty{Warm: 3, WarmFirstByte: 12_345_678}
	r.Origin.Idle, r.Origin.Waited = stats.Seconds(20*time.Second+2_500), stats.Seconds(20*time.Second+7_654_321)
	r.Order.KeepAlive, r.Order.Configured, r.Order.OriginIdle, r.Order.LBIdle = stats.Seconds(60*time.Second+999), stats.Seconds(60*time.Second), stats.Seconds(20*time.Second+2_500), stats.Seconds(3500*time.Millisecond)
	return r
}

// The JSON document of a report with every field set is the one
// testdata/report.json holds, byte for byte: the keys in their order (schema
// 1 promises them), the durations in seconds to the microsecond.
func TestWriteJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := format.WriteJSON(&b, full()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.json")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Bytes(); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("JSON differs from %s at byte %d:\ngot  …%s\nwant …%s", golden, i, got[max(i-80, 0):min(i+80, len(got))], want[max(i-80, 0):min(i+80, len(want))])
	}
}
