package pace

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestConstantPace(t *testing.T) {
	c := Constant{Interval: 10 * time.Second, Count: 3}
	for _, tc := range []struct {
		elapsed time.Duration
		hits    int
		wait    time.Duration
		stop    bool
	}{
		{0, 0, 0, false},                         // the first hit at once
		{time.Second, 1, 9 * time.Second, false}, // the second on the grid
		{25 * time.Second, 2, 0, false},          // late: at once, no catch-up burst beyond it
		{21 * time.Second, 2, 0, false},          // a late third hit does not move later ones
		{0, 3, 0, true},                          // Count reached
	} {
		wait, stop := c.Pace(tc.elapsed, tc.hits)
		if wait != tc.wait || stop != tc.stop {
			t.Errorf("Pace(%v, %d) = %v %v, want %v %v", tc.elapsed, tc.hits, wait, stop, tc.wait, tc.stop)
		}
	}
	off := Constant{Interval: time.Second, Offset: time.Second}
	if wait, _ := off.Pace(0, 0); wait != time.Second || off.Due(2) != 2*time.Second {
		t.Errorf("offset: first wait %v, due(2) %v", wait, off.Due(2))
	}
	if _, stop := (Constant{Interval: time.Second}).Pace(time.Hour, 1_000_000); stop {
		t.Error("Count 0 must not stop")
	}
}

func TestOffsetsPace(t *testing.T) {
	o := Offsets{2 * time.Second, 5 * time.Second, 5 * time.Second}
	for _, tc := range []struct {
		elapsed time.Duration
		hits    int
		wait    time.Duration
		stop    bool
	}{
		{0, 0, 2 * time.Second, false},               // the first at its offset
		{2 * time.Second, 1, 3 * time.Second, false}, // the second on its own time
		{6 * time.Second, 2, 0, false},               // late: at once
		{6 * time.Second, 3, 0, true},                // no more
	} {
		wait, stop := o.Pace(tc.elapsed, tc.hits)
		if wait != tc.wait || stop != tc.stop {
			t.Errorf("Pace(%v, %d) = %v %v, want %v %v", tc.elapsed, tc.hits, wait, stop, tc.wait, tc.stop)
		}
	}
	if o.Due(2) != 5*time.Second {
		t.Errorf("Due(2) = %v", o.Due(2))
	}
	if _, stop := (Offsets{}).Pace(0, 0); !stop {
		t.Error("no offsets: want stop at once")
	}
}

func TestRunSchedulesAndStops(t *testing.T) {
	start := time.Now()
	var at []time.Duration
	err := Run(context.Background(), Constant{Interval: 30 * time.Millisecond, Count: 4}, func(n int) bool {
		at = append(at, time.Since(start))
		if n == 2 {
			time.Sleep(45 * time.Millisecond) // overruns its slot: hit 3 comes at once, hit 4 on the grid
		}
		return true
	})
	if err != nil || len(at) != 4 {
		t.Fatalf("Run = %v after %d hits, want nil after 4", err, len(at))
	}
	// Lower bounds are exact (a hit never comes early); upper bounds are
	// loose because a loaded machine fires timers late.
	for i, want := range []time.Duration{0, 30, 75, 90} {
		if got := at[i]; got < want*time.Millisecond || got > (want+150)*time.Millisecond {
			t.Errorf("hit %d at %v, want about %dms", i+1, got, want)
		}
	}
	if err := Run(context.Background(), Constant{Interval: time.Millisecond}, func(n int) bool { return n < 3 }); !errors.Is(err, ErrHalted) {
		t.Errorf("halted run: %v", err)
	}
}

func TestRunEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	hits := 0
	err := Run(ctx, Constant{Interval: time.Hour}, func(int) bool { hits++; cancel(); return true })
	if !errors.Is(err, context.Canceled) || hits != 1 {
		t.Errorf("canceled run: %v after %d hits", err, hits)
	}
	// A hit that would come after the deadline is not waited for.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err = Run(ctx, Constant{Interval: time.Hour}, func(int) bool { return true })
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("deadline run: %v after %v", err, time.Since(start))
	}
}
