package probe

import (
	"context"
	"time"
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
	count := max(cfg.Count, 1)
	results := make([]Result, 0, min(count, 1<<16))
	next := time.Now()
	for i := 1; i <= count; i++ {
		if i > 1 {
			next = next.Add(cfg.Interval)
			if !SleepUntil(ctx, next) {
				break
			}
		}
		if ctx.Err() != nil {
			break
		}
		r := p.Probe(ctx, i)
		if ctx.Err() != nil && r.Kind == KindCanceled {
			break
		}
		results = append(results, r)
		if each != nil {
			each(r)
		}
	}
	return results, nil
}

// SleepUntil waits until t or until ctx is done; it reports whether t came.
// Series schedulers (here and in the lab) pace their probes with it.
func SleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
