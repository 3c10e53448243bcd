// Package format holds the planner's reporters: the table for people, the
// JSON document (with a schema number), and the ready-to-use
// configuration: the "prewarm" list of infra/cdk.json, the prewarm
// Lambda's environment, and `cfprewarm warm` command lines. They write
// what plan.Make decided and never recompute it.
package format

import (
	"io"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/plan"
)

// Name is an output format accepted by --format.
type Name string

const (
	Table     Name = "table"      // the plan for people
	JSON      Name = "json"       // one JSON document, "schema": plan.SchemaVersion
	CDK       Name = "cdk"        // {"prewarm": [...]} for infra/cdk.json's context
	LambdaEnv Name = "lambda-env" // the prewarm Lambda's environment, a block per region
	WarmCmd   Name = "warm-cmd"   // `cfprewarm warm` command lines
)

// Names lists the formats, for help texts and validation.
var Names = []Name{Table, JSON, CDK, LambdaEnv, WarmCmd}

// ParseName checks a --format value.
func ParseName(s string) (Name, error) { return config.ParseChoice("format", s, Names) }

// Placeholder stands for the distribution domain when neither the flags nor
// the logs named it.
const Placeholder = "dXXXXXXXXXXXXX.cloudfront.net"

// Report is what the reporters write: the plan, what the inputs gave, and
// the names the configuration outputs need.
type Report struct {
	Plan plan.Plan
	// Logs is the reader's summary (nil when planning from a counts file).
	Logs *accesslog.Summary
	// Counts is the counts file's summary (nil when reading logs).
	Counts *plan.CountsStats
	// Distribution and Host are the distribution domain and the custom
	// domain (SNI and Host) the prewarm requests use; Path their path.
	Distribution, Host, Path string
}

func (r Report) distribution() string {
	if r.Distribution == "" {
		return Placeholder
	}
	return r.Distribution
}

// Write writes r in format n.
func Write(w io.Writer, n Name, r Report) error {
	switch n {
	case Table:
		return WriteTable(w, r)
	case JSON:
		return WriteJSON(w, r)
	case CDK:
		return WriteCDK(w, r)
	case LambdaEnv:
		return WriteLambdaEnv(w, r)
	case WarmCmd:
		return WriteWarmCmd(w, r)
	}
	_, err := ParseName(string(n))
	return err
}
