package lab

import (
	"context"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
)

// clock maps the lab's virtual time (the real experiment's: minutes,
// keep-alives, schedules) to the wall clock: virtual time runs K times
// faster, from base at start.
type clock struct {
	base  time.Time // virtual
	start time.Time // real
	k     float64
}

func (c clock) virtual(real time.Time) time.Time {
	return c.base.Add(time.Duration(float64(real.Sub(c.start)) * c.k))
}

func (c clock) real(virtual time.Time) time.Time {
	return c.start.Add(time.Duration(float64(virtual.Sub(c.base)) / c.k))
}

func (c clock) now() time.Time { return c.virtual(time.Now()) }

// sleepUntil waits until the virtual time t; false when ctx ended first.
func (c clock) sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(c.real(t)))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// fleet is the prewarm Lambda as the lab runs it: execution environments
// (each its own warm.Runner, with what it learns, and its own ledger of
// scheduled times), one per invocation running at a time, reused most
// recently used first as Lambda does; an invocation sends the waves its
// schedule gives (aligned: the grid slots it owns; waves: Waves waves
// Interval apart from its start), each a one-wave run of the real engine.
type fleet struct {
	opt   schedule.Option
	cfg   warm.Config // one wave
	clock clock

	mu       sync.Mutex
	idle     []*lambdaEnv
	envs     int
	waves    []fleetWave
	statuses map[string]int // aligned: the invocations by status
	err      error          // the first runner that could not be made

	quiet quiet // viewers wait for the waves in flight
}

// lambdaEnv is one execution environment.
type lambdaEnv struct {
	runner *warm.Runner
	ledger schedule.Ledger
}

// fleetWave is one wave the fleet sent.
type fleetWave struct {
	Planned time.Time // virtual: the slot, or the invocation's start + i × Interval
	Started time.Time // virtual
	Result  *warm.Result
}

// invoke runs one delivery to the end of its waves.
func (f *fleet) invoke(ctx context.Context, d delivery) {
	env := f.take()
	if env == nil {
		return
	}
	defer f.put(env)
	for _, t := range f.plan(&env.ledger, d) {
		if !f.clock.sleepUntil(ctx, t) {
			return
		}
		f.quiet.begin()
		started := f.clock.now()
		res := env.runner.Run(ctx, nil)
		f.quiet.end()
		if ctx.Err() != nil {
			return
		}
		f.mu.Lock()
		f.waves = append(f.waves, fleetWave{Planned: t, Started: started, Result: res})
		f.mu.Unlock()
	}
}

// plan is when the invocation of d sends its waves (virtual), as the
// prewarm Lambda decides (cmd/prewarm-lambda): aligned, the slots of its
// window still ahead when it starts, none for a scheduled time its
// environment served before (ledger); waves, Waves waves Interval apart
// from its start.
func (f *fleet) plan(ledger *schedule.Ledger, d delivery) []time.Time {
	if f.opt.Kind == schedule.KindAligned {
		inv := ledger.Claim(f.opt.Grid().Plan(d.Scheduled, d.Arrival), d.Arrival)
		f.mu.Lock()
		f.statuses[string(inv.Status)]++
		f.mu.Unlock()
		return inv.Due
	}
	var at []time.Time
	for i := range f.opt.Waves {
		at = append(at, d.Arrival.Add(time.Duration(i)*f.opt.Interval))
	}
	return at
}

// take returns an idle environment, the most recently used, or a new one.
func (f *fleet) take() *lambdaEnv {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.idle); n > 0 {
		env := f.idle[n-1]
		f.idle = f.idle[:n-1]
		return env
	}
	r, err := warm.NewRunner(f.cfg)
	if err != nil {
		if f.err == nil {
			f.err = err
		}
		return nil
	}
	f.envs++
	return &lambdaEnv{runner: r}
}

func (f *fleet) put(env *lambdaEnv) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idle = append(f.idle, env)
}

// quiet tells viewers when no wave is in flight: in the scaled lab a wave
// lasts K times longer than it would, and a viewer arriving during one
// would meet busy origin connections far more often than a real one.
// Waves never wait for viewers (their schedule is what is measured).
type quiet struct {
	mu   sync.Mutex
	n    int
	done chan struct{} // closed when n drops to 0
}

func (q *quiet) begin() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		q.done = make(chan struct{})
	}
	q.n++
}

func (q *quiet) end() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n--; q.n == 0 {
		close(q.done)
	}
}

// wait returns when no wave is in flight; false when ctx ended first.
func (q *quiet) wait(ctx context.Context) bool {
	q.mu.Lock()
	if q.n == 0 {
		q.mu.Unlock()
		return true
	}
	done := q.done
	q.mu.Unlock()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
