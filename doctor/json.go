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
		Duration stats.Seconds `json:"duration_s"`
	}{SchemaVersion, "doctor", plain(r), stats.Seconds(r.Duration)})
}

// MarshalJSON writes the budget with the search's longest wait.
func (b Budget) MarshalJSON() ([]byte, error) {
	type plain Budget
	return json.Marshal(struct {
		plain
		MaxWait stats.Seconds `json:"max_wait_s"`
	}{plain(b), stats.Seconds(b.MaxWait)})
}

// MarshalJSON writes K and its bounds in seconds (0: unknown).
func (k KeepAlive) MarshalJSON() ([]byte, error) {
	type plain KeepAlive
	return json.Marshal(struct {
		plain
		K      stats.Seconds `json:"k_s"`
		WarmAt stats.Seconds `json:"warm_at_s"`
		ColdAt stats.Seconds `json:"cold_at_s"`
	}{plain(k), stats.Seconds(k.K), stats.Seconds(k.WarmAt), stats.Seconds(k.ColdAt)})
}

// MarshalJSON writes the trial's wait in seconds.
func (t Trial) MarshalJSON() ([]byte, error) {
	type plain Trial
	return json.Marshal(struct {
		Gap stats.Seconds `json:"gap_s"`
		Age stats.Seconds `json:"age_s"`
		plain
	}{stats.Seconds(t.Gap), stats.Seconds(t.Age), plain(t)})
}

// MarshalJSON writes the penalty's durations in seconds.
func (p Penalty) MarshalJSON() ([]byte, error) {
	type plain Penalty
	return json.Marshal(struct {
		plain
		ColdFirstByte   stats.Seconds `json:"cold_first_byte_s"`
		WarmFirstByte   stats.Seconds `json:"warm_first_byte_s"`
		Penalty         stats.Seconds `json:"penalty_s"`
		UpstreamConnect stats.Seconds `json:"upstream_connect_s"`
		OriginRTT       stats.Seconds `json:"origin_rtt_s"`
		ConnectRTT      stats.Seconds `json:"connect_rtt_s"`
	}{plain(p), stats.Seconds(p.ColdFirstByte), stats.Seconds(p.WarmFirstByte), stats.Seconds(p.Penalty),
		stats.Seconds(p.UpstreamConnect), stats.Seconds(p.OriginRTT), stats.Seconds(p.ConnectRTT)})
}

// MarshalJSON writes the idle timeout and the wait in seconds.
func (o OriginIdle) MarshalJSON() ([]byte, error) {
	type plain OriginIdle
	return json.Marshal(struct {
		plain
		Idle   stats.Seconds `json:"idle_s"`
		Waited stats.Seconds `json:"waited_s"`
	}{plain(o), stats.Seconds(o.Idle), stats.Seconds(o.Waited)})
}

// MarshalJSON writes the timeouts in seconds (0: unknown).
func (o OrderCheck) MarshalJSON() ([]byte, error) {
	type plain OrderCheck
	return json.Marshal(struct {
		plain
		KeepAlive  stats.Seconds `json:"keepalive_s"`
		Configured stats.Seconds `json:"configured_keepalive_s"`
		OriginIdle stats.Seconds `json:"origin_idle_s"`
		LBIdle     stats.Seconds `json:"lb_idle_s"`
	}{plain(o), stats.Seconds(o.KeepAlive), stats.Seconds(o.Configured), stats.Seconds(o.OriginIdle), stats.Seconds(o.LBIdle)})
}
