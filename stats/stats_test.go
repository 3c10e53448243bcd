package stats

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func TestDescribe(t *testing.T) {
	var s Sample
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // 1..100 ms, unsorted
		ds = append(ds, ms(float64(i)))
		s.Add(ms(float64(i)))
	}
	d := Describe(ds)
	want := Durations{N: 100, Min: ms(1), P50: ms(50.5), P90: ms(90.1), P99: ms(99.01), Max: ms(100), Mean: ms(50.5)}
	if d != want || s.Durations() != want || s.Len() != 100 {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	if ds[0] != ms(100) {
		t.Error("Describe sorted its input")
	}
	if (Describe(nil) != Durations{}) {
		t.Error("empty input should give the zero Durations")
	}
	if d := Describe([]time.Duration{ms(7)}); d.P50 != ms(7) || d.P99 != ms(7) {
		t.Errorf("single value: %+v", d)
	}
	b, _ := json.Marshal(want)
	var back Durations
	if err := json.Unmarshal(b, &back); err != nil || back != want {
		t.Errorf("JSON round trip %s: %+v %v", b, back, err)
	}
}

func TestRatio(t *testing.T) {
	if v, ok := (Ratio{1, 4}).Value(); !ok || v != 0.25 {
		t.Errorf("1/4 = %v %v", v, ok)
	}
	if _, ok := (Ratio{}).Value(); ok {
		t.Error("0/0 must be unknown")
	}
	for r, want := range map[Ratio]string{{1, 4}: "0.25", {0, 3}: "0", {}: "null"} {
		if b, _ := json.Marshal(r); string(b) != want {
			t.Errorf("%+v marshals as %s, want %s", r, b, want)
		}
	}
	if got := (Ratio{1, 2}).Add(Ratio{0, 2}); got != (Ratio{1, 4}) {
		t.Errorf("Add = %+v", got)
	}
}

func TestSeconds(t *testing.T) {
	if s := Seconds(620063400 * time.Nanosecond).Float(); s != 0.620063 {
		t.Errorf("Seconds = %v", s)
	}
	if d := FromSeconds(0.620063); d != 620063*time.Microsecond {
		t.Errorf("FromSeconds = %v", d)
	}
}

// TestSecondsJSON: a Seconds field is written as encoding/json writes the
// float64 Float returns (the form every JSON document had before the type),
// and read back to the microsecond.
func TestSecondsJSON(t *testing.T) {
	for _, d := range []time.Duration{0, 7, 500, 1500, 2500, 999_999, 620_063_400, 81_234_567_891, 3 * time.Hour} {
		got, err := json.Marshal(struct {
			X Seconds `json:"x_s"`
		}{Seconds(d)})
		want, _ := json.Marshal(struct {
			X float64 `json:"x_s"`
		}{math.Round(d.Seconds()*1e6) / 1e6})
		if err != nil || string(got) != string(want) {
			t.Errorf("%v: %s (%v), want %s", d, got, err, want)
		}
		var back struct {
			X Seconds `json:"x_s"`
		}
		if err := json.Unmarshal(got, &back); err != nil || (time.Duration(back.X)-d).Abs() > 500 {
			t.Errorf("%v read back as %v (%v)", d, time.Duration(back.X), err)
		}
	}
	var s Seconds
	if err := json.Unmarshal([]byte(`"1s"`), &s); err == nil {
		t.Error("a string was read as seconds")
	}
}
