package warm

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cfprewarm/cfprewarm/probe"
)

// The JSON form writes every duration in seconds (fields ending in _s), as
// package probe does.

// MarshalJSON adds the schema version and the run's duration.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		plain
		Duration float64 `json:"duration_s"`
	}{SchemaVersion, "warm", plain(r), probe.Seconds(r.Duration)})
}

// MarshalJSON adds the wave's duration.
func (w Wave) MarshalJSON() ([]byte, error) {
	type plain Wave
	return json.Marshal(struct {
		plain
		Duration float64 `json:"duration_s"`
	}{plain(w), probe.Seconds(w.Duration)})
}

// MarshalJSON adds origin_cold_ratio: a number, or null when no response
// said whether it found a warm origin connection.
func (s Stats) MarshalJSON() ([]byte, error) {
	type plain Stats
	var ratio *float64
	if v, ok := s.OriginColdRatio(); ok {
		ratio = &v
	}
	return json.Marshal(struct {
		plain
		OriginColdRatio *float64 `json:"origin_cold_ratio"`
	}{plain(s), ratio})
}

// MarshalJSON adds the origin connect time when the response told it.
func (r Request) MarshalJSON() ([]byte, error) {
	type plain Request
	var up *float64
	if r.Origin != probe.OriginUnknown {
		s := probe.Seconds(r.UpstreamConnect)
		up = &s
	}
	return json.Marshal(struct {
		plain
		UpstreamConnect *float64 `json:"upstream_connect_s,omitempty"`
	}{plain(r), up})
}

// WriteJSON writes the result as one line of JSON. Without requests, the
// per-request records are left out.
func WriteJSON(w io.Writer, r *Result, requests bool) error {
	if !requests {
		r = r.WithoutRequests()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("warm: encoding the result: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
