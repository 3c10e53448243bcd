package probe

import (
	"context"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/pace"
)

// Run sends cfg.Count probes (at least one), cfg.Interval apart from the
// start of one to the start of the next, and calls each (if not nil) with
// every result as soon as it is measured. When ctx is done the series stops
// early and Run returns what finished; a probe cut off by the cancellation is
// not a measurement and is left out. The error is non-nil only for an
// invalid configuration.
func Run(ctx context.Context, cfg Config, each func(Result)) ([]Result, error) {
	p, err := NewProber(cfg)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	cfg = p.cfg
	results := make([]Result, 0, min(cfg.Count, 1<<16))
	pace.Run(ctx, pace.Constant{Interval: cfg.Interval, Count: cfg.Count}, func(seq int) bool {
		r := p.Probe(ctx, seq)
		if ctx.Err() != nil && r.Kind == cloudfront.KindCanceled {
			return false
		}
		results = append(results, r)
		if each != nil {
			each(r)
		}
		return true
	})
	return results, nil
}
