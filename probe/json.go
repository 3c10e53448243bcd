package probe

import (
	"encoding/json"
	"math"
	"time"
)

// Seconds converts d to seconds rounded to the microsecond: the unit of every
// duration in the JSON and CSV forms, as in curl's -w timings.
func Seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1e6) / 1e6
}

func fromSeconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

type timingsJSON struct {
	NameLookup    float64 `json:"namelookup_s"`
	Connect       float64 `json:"connect_s"`
	AppConnect    float64 `json:"appconnect_s"`
	StartTransfer float64 `json:"starttransfer_s"`
	Total         float64 `json:"total_s"`
}

// MarshalJSON writes the cumulative timings in seconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	return json.Marshal(timingsJSON{Seconds(t.NameLookup), Seconds(t.Connect), Seconds(t.AppConnect),
		Seconds(t.StartTransfer), Seconds(t.Total)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (t *Timings) UnmarshalJSON(b []byte) error {
	var j timingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = Timings{fromSeconds(j.NameLookup), fromSeconds(j.Connect), fromSeconds(j.AppConnect),
		fromSeconds(j.StartTransfer), fromSeconds(j.Total)}
	return nil
}

// MarshalJSON writes the phase durations in seconds.
func (p Phases) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		DNS      float64 `json:"dns_s"`
		TCP      float64 `json:"tcp_s"`
		TLS      float64 `json:"tls_s"`
		Server   float64 `json:"server_s"`
		Transfer float64 `json:"transfer_s"`
	}{Seconds(p.DNS), Seconds(p.TCP), Seconds(p.TLS), Seconds(p.Server), Seconds(p.Transfer)})
}

// MarshalJSON writes the distribution in seconds.
func (d Dist) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N    int     `json:"n"`
		Min  float64 `json:"min_s"`
		P50  float64 `json:"p50_s"`
		P90  float64 `json:"p90_s"`
		P99  float64 `json:"p99_s"`
		Max  float64 `json:"max_s"`
		Mean float64 `json:"mean_s"`
	}{d.N, Seconds(d.Min), Seconds(d.P50), Seconds(d.P90), Seconds(d.P99), Seconds(d.Max), Seconds(d.Mean)})
}

// MarshalJSON writes a probe record: the schema version, every field, the
// single phases and the origin connect time, all durations in seconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	var up *float64
	if r.Origin != OriginUnknown {
		s := Seconds(r.UpstreamConnect)
		up = &s
	}
	return json.Marshal(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		plain
		Phases          Phases   `json:"phases"`
		UpstreamConnect *float64 `json:"upstream_connect_s,omitempty"`
	}{SchemaVersion, "probe", plain(r), r.Timings.Phases(), up})
}

// MarshalJSON writes the summary with its schema version and the gain in seconds.
func (o OriginSummary) MarshalJSON() ([]byte, error) {
	type plain OriginSummary
	return json.Marshal(struct {
		plain
		WarmRatio float64 `json:"warm_ratio"`
		Gain      float64 `json:"gain_s"`
	}{plain(o), o.WarmRatio(), Seconds(o.Gain)})
}
