package doctor

import (
	"encoding/json"

	"github.com/cfprewarm/cfprewarm/stats"
)

// The JSON forms: durations in seconds (stats.Seconds), in fields ending
// in _s, as every JSON document of the project writes them.

// MarshalJSON writes the report with its schema and type.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		plain
		Duration float64 `json:"duration_s"`
	}{SchemaVersion, "doctor", plain(r), stats.Seconds(r.Duration)})
}

// MarshalJSON writes the budget with the search's longest wait.
func (b Budget) MarshalJSON() ([]byte, error) {
	type plain Budget
	return json.Marshal(struct {
		plain
		MaxWait float64 `json:"max_wait_s"`
	}{plain(b), stats.Seconds(b.MaxWait)})
}

// MarshalJSON writes K and its bounds in seconds (0: unknown).
func (k KeepAlive) MarshalJSON() ([]byte, error) {
	type plain KeepAlive
	return json.Marshal(struct {
		plain
		K      float64 `json:"k_s"`
		WarmAt float64 `json:"warm_at_s"`
		ColdAt float64 `json:"cold_at_s"`
	}{plain(k), stats.Seconds(k.K), stats.Seconds(k.WarmAt), stats.Seconds(k.ColdAt)})
}

// MarshalJSON writes the trial's wait in seconds.
func (t Trial) MarshalJSON() ([]byte, error) {
	type plain Trial
	return json.Marshal(struct {
		Gap float64 `json:"gap_s"`
		Age float64 `json:"age_s"`
		plain
	}{stats.Seconds(t.Gap), stats.Seconds(t.Age), plain(t)})
}

// MarshalJSON writes the penalty's durations in seconds.
func (p Penalty) MarshalJSON() ([]byte, error) {
	type plain Penalty
	return json.Marshal(struct {
		plain
		ColdFirstByte   float64 `json:"cold_first_byte_s"`
		WarmFirstByte   float64 `json:"warm_first_byte_s"`
		Penalty         float64 `json:"penalty_s"`
		UpstreamConnect float64 `json:"upstream_connect_s"`
		OriginRTT       float64 `json:"origin_rtt_s"`
		ConnectRTT      float64 `json:"connect_rtt_s"`
	}{plain(p), stats.Seconds(p.ColdFirstByte), stats.Seconds(p.WarmFirstByte), stats.Seconds(p.Penalty),
		stats.Seconds(p.UpstreamConnect), stats.Seconds(p.OriginRTT), stats.Seconds(p.ConnectRTT)})
}

// MarshalJSON writes the idle timeout and the wait in seconds.
func (o OriginIdle) MarshalJSON() ([]byte, error) {
	type plain OriginIdle
	return json.Marshal(struct {
		plain
		Idle   float64 `json:"idle_s"`
		Waited float64 `json:"waited_s"`
	}{plain(o), stats.Seconds(o.Idle), stats.Seconds(o.Waited)})
}

// MarshalJSON writes the timeouts in seconds (0: unknown).
func (o OrderCheck) MarshalJSON() ([]byte, error) {
	type plain OrderCheck
	return json.Marshal(struct {
		plain
		KeepAlive  float64 `json:"keepalive_s"`
		Configured float64 `json:"configured_keepalive_s"`
		OriginIdle float64 `json:"origin_idle_s"`
		LBIdle     float64 `json:"lb_idle_s"`
	}{plain(o), stats.Seconds(o.KeepAlive), stats.Seconds(o.Configured), stats.Seconds(o.OriginIdle), stats.Seconds(o.LBIdle)})
}
