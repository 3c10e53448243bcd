package probe

import (
	"encoding/json"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/jsonobj"
	"github.com/cfprewarm/cfprewarm/stats"
)

// The JSON forms write every duration in seconds (fields ending in _s),
// rounded to the microsecond (stats.Seconds).

type timingsJSON struct {
	NameLookup    stats.Seconds `json:"namelookup_s"`
	Connect       stats.Seconds `json:"connect_s"`
	AppConnect    stats.Seconds `json:"appconnect_s"`
	StartTransfer stats.Seconds `json:"starttransfer_s"`
	Total         stats.Seconds `json:"total_s"`
}

// MarshalJSON writes the cumulative timings in seconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	type s = stats.Seconds
	return json.Marshal(timingsJSON{s(t.NameLookup), s(t.Connect), s(t.AppConnect), s(t.StartTransfer), s(t.Total)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (t *Timings) UnmarshalJSON(b []byte) error {
	var j timingsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	type d = time.Duration
	*t = Timings{d(j.NameLookup), d(j.Connect), d(j.AppConnect), d(j.StartTransfer), d(j.Total)}
	return nil
}

// MarshalJSON writes the phase durations in seconds.
func (p Phases) MarshalJSON() ([]byte, error) {
	type s = stats.Seconds
	return json.Marshal(struct {
		DNS      s `json:"dns_s"`
		TCP      s `json:"tcp_s"`
		TLS      s `json:"tls_s"`
		Server   s `json:"server_s"`
		Transfer s `json:"transfer_s"`
	}{s(p.DNS), s(p.TCP), s(p.TLS), s(p.Server), s(p.Transfer)})
}

// MarshalJSON writes every field of the result and what follows from them:
// the single phases and, when the origin state is known, the origin connect
// time (upstream_connect_s), all durations in seconds. This is the one place
// a result becomes JSON; reporters add their envelope with MarshalJSONWith.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	var up *stats.Seconds
	if r.Origin != cloudfront.OriginUnknown {
		up = new(stats.Seconds(r.UpstreamConnect))
	}
	return json.Marshal(struct {
		plain
		Phases          Phases         `json:"phases"`
		UpstreamConnect *stats.Seconds `json:"upstream_connect_s,omitempty"`
	}{plain(r), r.Timings.Phases(), up})
}

// MarshalJSONWith writes one JSON object with the fields of head (a struct
// or map that marshals to an object) first, then those of the result: the
// probe's JSON lines add {"schema","type"} this way, a prewarm record its
// POP and wave.
func (r Result) MarshalJSONWith(head any) ([]byte, error) { return jsonobj.Merge(head, r) }

// UnmarshalJSON reads what MarshalJSON (or MarshalJSONWith) wrote, the
// origin connect time included; other fields are ignored.
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result
	var j struct {
		plain
		UpstreamConnect stats.Seconds `json:"upstream_connect_s"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result(j.plain)
	r.UpstreamConnect = time.Duration(j.UpstreamConnect)
	return nil
}

// MarshalJSON writes the origin summary with what follows from it: the
// warm ratio (null when no probe said) and the gain in seconds.
func (o OriginSummary) MarshalJSON() ([]byte, error) {
	type plain OriginSummary
	return json.Marshal(struct {
		plain
		WarmRatio stats.Ratio   `json:"warm_ratio"`
		Gain      stats.Seconds `json:"gain_s"`
	}{plain(o), o.WarmRatio(), stats.Seconds(o.Gain)})
}
