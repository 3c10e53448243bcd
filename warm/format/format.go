package format

import (
	"io"

	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/warm"
)

// Name is an output format accepted by --format.
type Name string

const (
	Table Name = "table" // a block per wave, a row per POP
	JSON  Name = "json"  // one JSON document per run, with a schema version
	EMF   Name = "emf"   // CloudWatch Embedded Metric Format, a line per POP per wave
	// SummaryName is per-POP totals in a bounded JSON document (the Lambda's response).
	SummaryName Name = "summary"
)

// Names lists the formats, for help texts and validation.
var Names = []Name{Table, JSON, EMF, SummaryName}

// ParseName checks a --format value.
func ParseName(s string) (Name, error) { return config.ParseChoice("format", s, Names) }

// Options tune the reporters; the zero value is the default of each.
type Options struct {
	Requests   bool             // JSON: include every request's record
	Namespace  string           // EMF: CloudWatch namespace; default DefaultNamespace
	Dimensions []Dimension      // EMF: extra dimensions, e.g. {"Region", "ap-east-1"}
	Metrics    warm.MetricLevel // EMF: which metrics per POP; "" is warm.MetricsLean
}

// Reporter writes one run's result.
type Reporter func(w io.Writer, r *warm.Result) error

// New returns the reporter of format n.
func New(n Name, opt Options) (Reporter, error) {
	switch n {
	case Table:
		return WriteTable, nil
	case JSON:
		return func(w io.Writer, r *warm.Result) error { return WriteJSON(w, r, opt.Requests) }, nil
	case EMF:
		return func(w io.Writer, r *warm.Result) error { return WriteEMF(w, r, opt) }, nil
	case SummaryName:
		return WriteSummary, nil
	}
	_, err := ParseName(string(n))
	return nil, err
}
