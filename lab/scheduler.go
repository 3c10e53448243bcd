package lab

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
)

// The lab's EventBridge-like scheduler: once a minute it invokes the
// prewarm "Lambda" (fleet.go) at a lateness drawn as the lateness model
// says EventBridge fires (package schedule: anywhere within the minute,
// plus up to the delivery allowance), and, as a real scheduler now and
// then does, delivers a minute twice, later than the model, or not at all.

// SchedulerFaults are how often, per scheduled minute, the lab's scheduler
// misbehaves beyond its lateness model.
type SchedulerFaults struct {
	Duplicate float64 // a second delivery of the same minute, within the model
	Late      float64 // a delivery up to a minute later than the model allows
	Missing   float64 // no delivery at all
}

// DefaultSchedulerFaults are the scheduler scenario's: a duplicate in 20
// minutes, a late delivery in 50, a missing one in 100.
var DefaultSchedulerFaults = SchedulerFaults{Duplicate: 0.05, Late: 0.02, Missing: 0.01}

// deliveryKind is how a delivery came.
type deliveryKind int

const (
	deliveredOnTime   deliveryKind = iota // within the lateness model
	deliveredLate                         // later than the model
	deliveredTwice                        // the second delivery of a minute
	deliveredNotAtAll                     // missing: no invocation
)

// delivery is one invocation by the scheduler, in the lab's virtual time.
type delivery struct {
	Scheduled time.Time // the minute it stands for
	Arrival   time.Time // when the function starts
	Kind      deliveryKind
}

// deliveries draws the invocations of n scheduled minutes from `from` (a
// whole minute) on, in order of arrival. A missing minute is returned with
// Kind deliveredNotAtAll and no arrival (so that gaps can be explained).
func deliveries(rng *rand.Rand, from time.Time, n int, f SchedulerFaults) []delivery {
	l := schedule.EventBridge
	within := func() time.Duration {
		return l.Min + time.Duration(rng.Float64()*float64(schedule.SchedulerPrecision)) + time.Duration(rng.Float64()*float64(schedule.DeliveryAllowance))
	}
	var out []delivery
	for m := range n {
		s := from.Add(time.Duration(m) * schedule.DefaultRate)
		u := rng.Float64()
		switch {
		case u < f.Missing:
			out = append(out, delivery{Scheduled: s, Kind: deliveredNotAtAll})
			continue
		case u < f.Missing+f.Late:
			out = append(out, delivery{Scheduled: s, Arrival: s.Add(l.Max + time.Duration((1-rng.Float64())*float64(time.Minute))), Kind: deliveredLate})
		default:
			out = append(out, delivery{Scheduled: s, Arrival: s.Add(within())})
		}
		if rng.Float64() < f.Duplicate {
			out = append(out, delivery{Scheduled: s, Arrival: s.Add(within()), Kind: deliveredTwice})
		}
	}
	slices.SortStableFunc(out, func(a, b delivery) int { return a.Arrival.Compare(b.Arrival) })
	return out
}

// explains says whether an invocation that misbehaved (late or missing)
// can account for a gap between waves planned at from and to: the waves it
// would have sent, had it come within the model, fall somewhere between
// its scheduled time and the end of its window plus the longest run of
// waves.
func (d delivery) explains(opt schedule.Option, from, to time.Time) bool {
	if d.Kind != deliveredLate && d.Kind != deliveredNotAtAll {
		return false
	}
	end := d.Scheduled.Add(opt.Lateness.Max + max(opt.Rate, opt.Span()))
	return d.Scheduled.Before(to) && end.After(from)
}
