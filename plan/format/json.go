package format

import (
	"encoding/json"
	"io"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/plan"
)

// document is the JSON form: the schema envelope, the plan, what the
// inputs gave and the ready-to-use configuration.
type document struct {
	Schema int    `json:"schema"`
	Type   string `json:"type"`
	plan.Plan
	Distribution string                `json:"distribution,omitempty"`
	Host         string                `json:"host,omitempty"`
	Inputs       inputs                `json:"inputs"`
	CDK          []CDKEntry            `json:"cdk_prewarm"`
	Counts       *plan.CountsStats     `json:"counts_file,omitempty"`
	Problems     []accesslog.FileStats `json:"problems,omitempty"`
}

type inputs struct {
	Files    int   `json:"files"`
	Lines    int64 `json:"lines"`
	Records  int64 `json:"records"`
	Filtered int64 `json:"filtered"`
	Bad      int64 `json:"bad"`
}

// WriteJSON writes the plan as one JSON document ("type": "plan",
// "schema": plan.SchemaVersion; durations in seconds, fields ending _s).
func WriteJSON(w io.Writer, p *plan.Plan) error {
	d := document{Schema: plan.SchemaVersion, Type: "plan", Plan: *p, Distribution: p.Target.Distribution, Host: p.Target.Host,
		CDK: CDKEntries(p), Counts: p.CountsFile}
	if s := p.Logs; s != nil {
		d.Inputs = inputs{Files: len(s.Files), Lines: s.Lines, Records: s.Records, Filtered: s.Filtered, Bad: s.Bad}
		d.Problems = s.Problems()
	}
	if c := p.CountsFile; c != nil {
		d.Inputs = inputs{Files: 1, Lines: c.Rows, Records: c.Rows - c.Bad - c.Filtered, Filtered: c.Filtered, Bad: c.Bad}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
