package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/cfprewarm/cfprewarm/probe"
)

// resultHead are the fields a line of results.jsonl puts before the
// probe's own JSON form.
type resultHead struct {
	Scenario   string  `json:"scenario"`
	Experiment float64 `json:"experiment_s"`
	Schema     int     `json:"schema"`
	Type       string  `json:"type"`
}

// WriteResultsJSONL writes every probe of every scenario, one JSON object a
// line: "scenario", the scenario's name, "experiment_s", the probe's time on
// the experiment's clock (seconds since the scenario started, times the time
// scale), the probe's schema and type "probe", then the probe's own JSON
// form (probe.Result.MarshalJSONWith).
func WriteResultsJSONL(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	for _, s := range r.Scenarios {
		for _, res := range s.Results {
			b, err := res.MarshalJSONWith(resultHead{s.Name, roundMicro(r.experimentSeconds(s, res)), probe.SchemaVersion, "probe"})
			if err != nil {
				return fmt.Errorf("report: probe %d of %s: %w", res.Seq, s.Name, err)
			}
			bw.Write(b)
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}
