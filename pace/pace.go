// Package pace schedules repeated work: probe series, prewarm waves, the
// `cfprewarm warm --every` daemon and the lab's viewers and prewarmers all
// run on it. A Pacer says how long to wait before the next hit, or that the
// run is over (the model is tsenart/vegeta's Pacer); Run calls the work on
// that schedule until the pacer stops, the work says stop, or the context
// ends. A hit that overruns its slot delays the next one; hits never
// overlap.
package pace

import (
	"context"
	"errors"
	"time"
)

// A Pacer decides when the next hit happens: given the time since the run
// started and the number of hits so far, it returns how long to wait, or
// stop when no hit is left.
type Pacer interface {
	Pace(elapsed time.Duration, hits int) (wait time.Duration, stop bool)
}

// Constant paces hits Interval apart from start to start: the first after
// Offset (0: at once), then one every Interval on a fixed grid, so a late hit
// does not shift the ones after it. Count limits the hits; 0 means no limit.
type Constant struct {
	Interval time.Duration
	Count    int
	Offset   time.Duration
}

// Pace implements Pacer.
func (c Constant) Pace(elapsed time.Duration, hits int) (time.Duration, bool) {
	if c.Count > 0 && hits >= c.Count {
		return 0, true
	}
	due := c.Offset + time.Duration(hits)*c.Interval
	return max(due-elapsed, 0), false
}

// Due is when hit n (1-based) is due after the start.
func (c Constant) Due(n int) time.Duration { return c.Offset + time.Duration(n-1)*c.Interval }

// Offsets paces hits at given times after the start, in ascending order:
// hit n at Offsets[n-1]. A late hit does not shift the ones after it; the
// run stops after the last.
type Offsets []time.Duration

// Pace implements Pacer.
func (o Offsets) Pace(elapsed time.Duration, hits int) (time.Duration, bool) {
	if hits >= len(o) {
		return 0, true
	}
	return max(o[hits]-elapsed, 0), false
}

// Due is when hit n (1-based) is due after the start.
func (o Offsets) Due(n int) time.Duration { return o[n-1] }

// ErrHalted is returned by Run when the work asked to stop.
var ErrHalted = errors.New("pace: halted by the work")

// Run calls hit(1), hit(2), ... when p says, waiting on the caller's
// goroutine. It returns nil when p says stop, ErrHalted when hit returns
// false, and the context's error when ctx ends, also before a hit that would
// come after ctx's deadline: context.DeadlineExceeded then comes at once,
// without waiting for a hit that cannot happen.
func Run(ctx context.Context, p Pacer, hit func(n int) bool) error {
	start := time.Now()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for n := 0; ; {
		wait, stop := p.Pace(time.Since(start), n)
		if stop {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			return context.DeadlineExceeded
		}
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		}
		n++
		if !hit(n) {
			return ErrHalted
		}
	}
}

// Sleep waits d, or less when ctx ends first, and reports whether d
// passed: the one wait that gives way to a context.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
