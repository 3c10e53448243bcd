package warm

import (
	"encoding/json"
	"net/netip"

	"github.com/cfprewarm/cfprewarm/stats"
)

// The JSON form writes every duration in seconds (fields ending in _s), as
// package probe does. The reporters (warm/format) add the schema envelope.

// MarshalJSON adds origin_cold_ratio: a number, or null when no response
// said whether it found a warm origin connection.
func (s Stats) MarshalJSON() ([]byte, error) {
	type plain Stats
	return json.Marshal(struct {
		plain
		OriginColdRatio stats.Ratio `json:"origin_cold_ratio"`
	}{plain(s), s.OriginColdRatio()})
}

// recordHead are the fields a record puts before the probe's.
type recordHead struct {
	POP        string     `json:"pop"`
	Wave       int        `json:"wave"`
	IP         netip.Addr `json:"ip"`
	Unfinished bool       `json:"unfinished,omitempty"`
}

// MarshalJSON writes the target POP, wave, address and unfinished mark,
// then the probe's result (probe.Result.MarshalJSONWith).
func (r Record) MarshalJSON() ([]byte, error) {
	return r.Result.MarshalJSONWith(recordHead{r.POP, r.Wave, r.IP, r.Unfinished})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *Record) UnmarshalJSON(b []byte) error {
	var h recordHead
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	if err := r.Result.UnmarshalJSON(b); err != nil {
		return err
	}
	r.POP, r.Wave, r.IP, r.Unfinished = h.POP, h.Wave, h.IP, h.Unfinished
	return nil
}
