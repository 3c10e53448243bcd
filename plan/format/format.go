// Package format holds the planner's reporters: the table for people, the
// JSON document (with a schema number), and the ready-to-use
// configuration: the "prewarm" list of infra/cdk.json, the prewarm
// Lambda's environment, and `cfprewarm warm` command lines. They write
// what plan.Run decided (the plan, its target and what its input gave) and
// never recompute it.
package format

import (
	"io"

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

func distribution(p *plan.Plan) string {
	if p.Target.Distribution == "" {
		return Placeholder
	}
	return p.Target.Distribution
}

// Write writes the plan in format n.
func Write(w io.Writer, n Name, p *plan.Plan) error {
	switch n {
	case Table:
		return WriteTable(w, p)
	case JSON:
		return WriteJSON(w, p)
	case CDK:
		return WriteCDK(w, p)
	case LambdaEnv:
		return WriteLambdaEnv(w, p)
	case WarmCmd:
		return WriteWarmCmd(w, p)
	}
	_, err := ParseName(string(n))
	return err
}
