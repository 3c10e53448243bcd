package plan

import (
	"encoding/json"

	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/stats"
)

// Schedule is how an option's waves are sent (package schedule has the
// model: the lateness of EventBridge, the longest gap, waves per month,
// the billed time), with its JSON form.
type Schedule struct {
	schedule.Option
}

// MarshalJSON writes the schedule's kind, its own numbers (an aligned
// grid's or a daemon's period; a rule's waves per invocation and their
// interval), the Lambda's rate and lateness, the longest gap and the waves
// per hour, durations in seconds.
func (s Schedule) MarshalJSON() ([]byte, error) {
	type sec = stats.Seconds
	o := s.Option
	out := struct {
		Kind         schedule.Kind `json:"kind"`
		About        string        `json:"about"`
		Period       *sec          `json:"period_s,omitempty"`
		Waves        int           `json:"waves,omitempty"`
		Interval     *sec          `json:"interval_s,omitempty"`
		Rate         *sec          `json:"rate_s,omitempty"`
		LatenessMax  *sec          `json:"lateness_max_s,omitempty"`
		MaxGap       sec           `json:"max_gap_s"`
		WavesPerHour float64       `json:"waves_per_hour"`
	}{Kind: o.Kind, About: o.String(), MaxGap: sec(o.MaxGap()), WavesPerHour: o.WavesPerHour()}
	p := func(v sec) *sec { return &v }
	switch o.Kind {
	case schedule.KindAligned, schedule.KindDaemon:
		out.Period = p(sec(o.Period))
	case schedule.KindWaves:
		out.Waves, out.Interval = o.Waves, p(sec(o.Interval))
	}
	if o.Kind != schedule.KindDaemon {
		out.Rate, out.LatenessMax = p(sec(o.Rate)), p(sec(o.Lateness.Max))
	}
	return json.Marshal(out)
}
