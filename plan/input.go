package plan

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Input is what the planner plans from, and for: the traffic (logs to read,
// a counts file, or counts already made: exactly one) over a period, and the
// target the prewarm requests go to.
type Input struct {
	// Logs are read (FromLogs) when Logs.Inputs names some. Run sets the
	// filter's period to From and To, and adds the target's distribution
	// and Host to its hosts: only the target's requests count.
	Logs accesslog.Config
	// CountsFile is a per-second counts file (ReadCounts; docs/plan.md's
	// Athena query), read between From and To.
	CountsFile io.Reader
	// Counts is an aggregate already made (FromLogs, ReadCounts, NewCounts).
	Counts *Counts
	// From and To, when set, are the period: requests outside it are left
	// out, and rates per day are over it. Otherwise it runs from the first
	// to the last request.
	From, To time.Time
	// Target names what the prewarm requests ask for. Names left empty are
	// taken from the logs: the distribution domain and the Host most
	// requests had, and the path prefix of the filter when it has one.
	Target Target
}

// Target is what the plan's prewarm requests ask for.
type Target struct {
	Distribution string // the distribution domain, dXXXX.cloudfront.net
	Host         string // the custom domain (SNI and Host); "" for the distribution domain
	Path         string // the request path; "" for the prewarmer's default
}

// NoRequestsError is Run's error when the logs held no usable request: the
// reader's summary says why, file by file.
type NoRequestsError struct{ Logs accesslog.Summary }

func (e *NoRequestsError) Error() string {
	s := e.Logs
	return fmt.Sprintf("no usable request in %d files (%d lines, %d unreadable, %d left out by the filters)", len(s.Files), s.Lines, s.Bad, s.Filtered)
}

// validate reports every problem of the input.
func (in Input) validate() error {
	var p config.Problems
	sources := 0
	for _, given := range []bool{len(in.Logs.Inputs) > 0, in.CountsFile != nil, in.Counts != nil} {
		if given {
			sources++
		}
	}
	if sources != 1 {
		p.Add("%d inputs given: want one of logs, a counts file or counts", sources)
	}
	if d := in.Target.Distribution; d != "" {
		if _, err := cloudfront.DistributionLabel(d); err != nil {
			p.AddErr(err)
		}
	}
	if !in.From.IsZero() && !in.To.IsZero() && !in.To.After(in.From) {
		p.Add("period %v to %v: the end must come after the start", in.From, in.To)
	}
	return p.Err("plan input")
}

// source is what the input gave: the counts over the period, what the
// reader saw, and the target with the names the logs give.
type source struct {
	counts     *Counts
	from, to   time.Time
	days       float64
	logs       *accesslog.Summary
	countsFile *CountsStats
	target     Target
	outliers   *Outliers
	warnings   []string
}

// read reads the input's logs or counts file, or takes its counts, and
// settles the period: requests far outside the bulk of the input's time
// are left out (dropOutliers) unless the input gives both ends.
func read(ctx context.Context, in Input, traffic Traffic) (source, error) {
	t := source{counts: in.Counts, target: in.Target}
	switch {
	case in.CountsFile != nil:
		c, st, err := ReadCounts(in.CountsFile, in.From, in.To)
		if err != nil {
			return t, err
		}
		t.counts, t.countsFile = c, &st
	case in.Counts == nil:
		cfg := in.Logs
		cfg.Filter.From, cfg.Filter.To = in.From, in.To
		cfg.Filter.Hosts = nil
		for _, h := range append(in.Logs.Filter.Hosts, in.Target.Distribution, in.Target.Host) {
			if h != "" {
				cfg.Filter.Hosts = append(cfg.Filter.Hosts, h)
			}
		}
		c, sum, err := FromLogs(ctx, cfg, traffic)
		if err != nil {
			return t, err
		}
		if sum.Records == 0 {
			return t, &NoRequestsError{sum}
		}
		t.counts, t.logs = c, &sum
	}
	if t.counts.overflow > 0 {
		return t, &TooManyPOPsError{Requests: t.counts.overflow}
	}
	if in.From.IsZero() || in.To.IsZero() {
		t.outliers = dropOutliers(t.counts)
	}
	t.target = in.Target.named(t.counts, in.Logs.Filter.PathPrefix)
	if t.counts.last < t.counts.first {
		return t, fmt.Errorf("plan: no requests to plan from")
	}
	from, to := t.counts.first, t.counts.last+1
	if !in.From.IsZero() {
		from = in.From.Unix()
	}
	if !in.To.IsZero() {
		to = in.To.Unix()
	}
	t.from, t.to = clampTime(from), clampTime(to)
	span := time.Duration(to-from) * time.Second
	t.days = span.Hours() / 24
	if w := spanWarning(span); w != "" {
		t.warnings = append(t.warnings, w)
	}
	return t, nil
}

// named fills the names the target left empty from the logs: the
// distribution domain and the Host most requests had (the Host only when
// it is not the distribution domain), and the one path prefix the logs
// were filtered by.
func (t Target) named(c *Counts, prefixes []string) Target {
	dist, host := c.Names()
	if t.Distribution == "" {
		t.Distribution = dist
	}
	if t.Host == "" && host != t.Distribution {
		t.Host = host
	}
	if t.Path == "" && len(prefixes) == 1 {
		t.Path = prefixes[0]
	}
	return t
}
