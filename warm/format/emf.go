package format

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
)

// DefaultNamespace is the CloudWatch namespace of the EMF metrics.
const DefaultNamespace = "CFPrewarm"

// EMF metric names and dimension names: alarms and dashboards use them.
const (
	MetricRequests        = "Requests"
	MetricErrors          = "Errors"
	MetricOriginColdRatio = "OriginColdRatio"
	MetricLatencyP50      = "LatencyP50"
	MetricLatencyP99      = "LatencyP99"

	DimensionDistribution = "Distribution"
	DimensionPOP          = "POP"

	// Per POP only (dimension set [Distribution, POP]): a sum or mean of
	// host counts over POPs means nothing.
	MetricEdgeHostsSeen     = "EdgeHostsSeen"     // distinct edge host ids in the wave's responses
	MetricEdgeHostsEstimate = "EdgeHostsEstimate" // the POP's estimated host count; left out when unavailable
)

// perDistribution are the metrics every level writes per distribution.
var perDistribution = []string{MetricRequests, MetricErrors, MetricOriginColdRatio, MetricLatencyP50, MetricLatencyP99}

// The metric levels (warm.MetricLevel) as this package names them.
const (
	MetricsLean = warm.MetricsLean
	MetricsFull = warm.MetricsFull
)

// CustomMetrics is the number of CloudWatch custom metrics the EMF lines
// of one region's POPs create at a level: the five per distribution, plus
// per POP one (lean: OriginColdRatio) or seven (full: the five and
// EdgeHostsSeen, EdgeHostsEstimate). Extra dimensions add none (they are
// in every set).
func CustomMetrics(level warm.MetricLevel, pops int) int {
	perPOP := 1
	if level == MetricsFull {
		perPOP = len(perDistribution) + 2
	}
	return len(perDistribution) + perPOP*pops
}

// Dimension is an extra CloudWatch dimension added to every dimension set.
type Dimension struct {
	Name, Value string
}

// reserved are the root keys WriteEMF writes itself.
var reserved = []string{"_aws", DimensionDistribution, DimensionPOP, MetricRequests, MetricErrors,
	MetricOriginColdRatio, MetricLatencyP50, MetricLatencyP99, "Host", "Wave", "Unfinished",
	"Mismatched", "OriginWarm", "OriginCold", "OriginUnknown", "ErrorKinds", "ResolveError",
	MetricEdgeHostsSeen, MetricEdgeHostsEstimate, "RequestsPlanned", "PredictedCoverage", "SizingMode",
	"HostsPlanned", "HostsFrom", "EdgeHostsLow", "EdgeHostsHigh", "AdaptFactor", "ClientSubnet"}

// WriteEMF writes one CloudWatch Embedded Metric Format line per POP per
// wave, stamped with the wave's start. The metrics are Requests and Errors
// (Count), OriginColdRatio (None; left out when no response said),
// LatencyP50, LatencyP99 (Milliseconds; left out when no request
// succeeded), and with sizing EdgeHostsSeen and EdgeHostsEstimate (Count;
// the estimate left out when unavailable). Which of them become CloudWatch
// metrics, and with which dimension sets (each with the extra dimensions),
// is opt.Metrics's choice:
//
//   - lean (the default): the first five with [Distribution]; a second
//     directive with [Distribution, POP] has OriginColdRatio alone.
//   - full: the first five with [Distribution, POP] and [Distribution]; a
//     second directive with [Distribution, POP] has the host counts.
//
// Every value is in the line either way, and so are the other fields
// (Wave, Host, the origin counts, error kinds, the sizing: RequestsPlanned,
// PredictedCoverage, SizingMode, HostsPlanned, HostsFrom,
// EdgeHostsLow/High, AdaptFactor, ClientSubnet), as log properties for
// Logs Insights: metrics cost money per name and dimension set.
func WriteEMF(w io.Writer, r *warm.Result, opt Options) error {
	if opt.Namespace == "" {
		opt.Namespace = DefaultNamespace
	}
	if opt.Metrics == "" {
		opt.Metrics = MetricsLean
	}
	if _, err := warm.ParseMetricLevel(string(opt.Metrics)); err != nil {
		return fmt.Errorf("warm: EMF: %w", err)
	}
	extra := make([]string, 0, len(opt.Dimensions))
	for _, d := range opt.Dimensions {
		if d.Name == "" || d.Value == "" || slices.Contains(reserved, d.Name) {
			return fmt.Errorf("warm: EMF dimension %q=%q: empty or reserved", d.Name, d.Value)
		}
		extra = append(extra, d.Name)
	}
	dims := [][]string{
		append([]string{DimensionDistribution, DimensionPOP}, extra...),
		append([]string{DimensionDistribution}, extra...),
	}
	for _, wave := range r.Waves {
		for _, p := range wave.POPs {
			line, err := emfLine(r, wave, p, opt, dims)
			if err != nil {
				return err
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	return nil
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

func emfLine(r *warm.Result, wave warm.Wave, p warm.POPResult, opt Options, dims [][]string) ([]byte, error) {
	s := p.Stats
	root := map[string]any{
		DimensionDistribution: r.Distribution,
		DimensionPOP:          p.POP,
		MetricRequests:        s.Requests,
		MetricErrors:          s.Errors,
		"Host":                r.Host,
		"Wave":                wave.Index,
		"Unfinished":          s.Unfinished,
		"Mismatched":          s.Mismatched,
		"OriginWarm":          s.Origin.Warm,
		"OriginCold":          s.Origin.Cold,
		"OriginUnknown":       s.Origin.Unknown,
	}
	metrics := []emfMetric{{MetricRequests, "Count"}, {MetricErrors, "Count"}}
	if ratio, ok := s.OriginColdRatio().Value(); ok {
		root[MetricOriginColdRatio] = ratio
		metrics = append(metrics, emfMetric{MetricOriginColdRatio, "None"})
	}
	if lat := s.Latency(); lat.N > 0 {
		root[MetricLatencyP50] = milliseconds(lat.P50)
		root[MetricLatencyP99] = milliseconds(lat.P99)
		metrics = append(metrics, emfMetric{MetricLatencyP50, "Milliseconds"}, emfMetric{MetricLatencyP99, "Milliseconds"})
	}
	if len(s.ErrorsByKind) > 0 {
		root["ErrorKinds"] = s.ErrorsByKind
	}
	if p.ResolveError != "" {
		root["ResolveError"] = p.ResolveError
	}
	for _, d := range opt.Dimensions {
		root[d.Name] = d.Value
	}
	perPOP, perDist := dims[:1], dims[1:]
	hosts := emfSizing(root, p)
	var directives []emfDirective
	if opt.Metrics == MetricsFull {
		directives = append(directives, emfDirective{Namespace: opt.Namespace, Dimensions: dims, Metrics: metrics})
		if len(hosts) > 0 {
			directives = append(directives, emfDirective{Namespace: opt.Namespace, Dimensions: perPOP, Metrics: hosts})
		}
	} else {
		directives = append(directives, emfDirective{Namespace: opt.Namespace, Dimensions: perDist, Metrics: metrics})
		if _, ok := root[MetricOriginColdRatio]; ok {
			directives = append(directives, emfDirective{Namespace: opt.Namespace, Dimensions: perPOP,
				Metrics: []emfMetric{{MetricOriginColdRatio, "None"}}})
		}
	}
	root["_aws"] = emfMeta{Timestamp: wave.Start.UnixMilli(), CloudWatchMetrics: directives}
	b, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("warm: encoding an EMF line: %w", err)
	}
	return append(b, '\n'), nil
}

// milliseconds converts d to milliseconds with microsecond precision.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
