package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// WriteResultsJSONL writes every probe of every scenario, one JSON object a
// line: the probe's own JSON form (json.Marshal of probe.Result: schema,
// type "probe", timings ...) with two fields added in front: "scenario",
// the scenario's name, and "experiment_s", the probe's time on the
// experiment's clock (seconds since the scenario started, times the time
// scale).
func WriteResultsJSONL(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	for _, s := range r.Scenarios {
		name, err := json.Marshal(s.Name)
		if err != nil {
			return fmt.Errorf("report: scenario name: %w", err)
		}
		for _, res := range s.Results {
			obj, err := json.Marshal(res)
			if err != nil {
				return fmt.Errorf("report: probe %d of %s: %w", res.Seq, s.Name, err)
			}
			if len(obj) < 2 || obj[0] != '{' {
				return fmt.Errorf("report: probe %d of %s: JSON form is not an object", res.Seq, s.Name)
			}
			bw.WriteString(`{"scenario":`)
			bw.Write(name)
			bw.WriteString(`,"experiment_s":`)
			bw.WriteString(strconv.FormatFloat(roundMicro(r.experimentSeconds(s, res)), 'f', -1, 64))
			if len(obj) > 2 { // not "{}"
				bw.WriteByte(',')
			}
			bw.Write(obj[1:])
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}
