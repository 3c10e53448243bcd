package schedule

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// The lateness model's parts and the other constants of the model.
const (
	// SchedulerPrecision: EventBridge Scheduler invokes a target somewhere
	// within the minute it is due (flexible time window off); scheduled
	// rules likewise.
	SchedulerPrecision = 60 * time.Second
	// DeliveryAllowance is the model's allowance for Lambda's asynchronous
	// queue between the scheduler's call and the function's start (not
	// documented by AWS).
	DeliveryAllowance = 10 * time.Second
	// DefaultRate is the schedule's rate: rate(1 minute), the shortest.
	DefaultRate = time.Minute
	// DefaultMargin is kept between the keep-alive and the longest gap: a
	// wave's own duration (its last requests reach a host up to a second or
	// so after the slot) and clock error.
	DefaultMargin = 2 * time.Second
	// TimeoutMargin is what the function timeout adds to an invocation's
	// span and its last wave's request timeout: the handler keeps up to 3 s
	// before its deadline to write the metrics and return, and the rest is
	// room for a wave that starts late because the one before it queued
	// behind the concurrency limit or waited for DNS.
	TimeoutMargin = 10 * time.Second
	// MinBilled is what an invocation that returns at once is billed in the
	// model: Lambda's billing granularity, a millisecond.
	MinBilled = time.Millisecond
	// Month is the 30 days prices are quoted for.
	Month = 30 * 24 * time.Hour
)

// Lateness is when an invocation starts: its scheduled time plus a delay
// within [Min, Max].
type Lateness struct {
	Min, Max time.Duration
}

// EventBridge is the documented lateness model of EventBridge Scheduler and
// of scheduled rules: anywhere within the minute, plus the delivery
// allowance.
var EventBridge = Lateness{Min: 0, Max: SchedulerPrecision + DeliveryAllowance}

// Spread is Max − Min: how much later one invocation may start than another
// relative to their scheduled times.
func (l Lateness) Spread() time.Duration { return l.Max - l.Min }

// mean is the mean lateness (uniform on [Min, Max]).
func (l Lateness) mean() time.Duration { return (l.Min + l.Max) / 2 }

// Kind is how waves are scheduled.
type Kind int

// The kinds of schedule.
const (
	// KindAligned is the Lambda under EventBridge Scheduler with the
	// scheduled time in its input: waves on a grid of Period.
	KindAligned Kind = iota + 1
	// KindWaves is the Lambda under a plain rule (no scheduled time):
	// Waves waves Interval apart from each invocation's start.
	KindWaves
	// KindDaemon is `cfprewarm warm --every Period`: a steady clock.
	KindDaemon
)

var kindNames = map[Kind]string{KindAligned: "aligned", KindWaves: "waves", KindDaemon: "daemon"}

// String is the kind's name: aligned, waves or daemon.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind reads a kind's name.
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if s == name {
			return k, nil
		}
	}
	return 0, fmt.Errorf("schedule %q: want aligned, waves or daemon", s)
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if _, ok := kindNames[k]; !ok {
		return nil, fmt.Errorf("schedule: unknown kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err == nil {
		*k = v
	}
	return err
}

// Option is one way of sending waves. Build it with Aligned, Waves or
// Daemon (or AlignedFor, WavesFor, DaemonFor from a keep-alive).
type Option struct {
	Kind Kind
	// Period: KindAligned, the grid's period; KindDaemon, the time between
	// waves.
	Period time.Duration
	// Waves per invocation, Interval apart (start to start): KindWaves.
	Waves    int
	Interval time.Duration
	// Rate: one invocation per Rate (KindAligned, KindWaves), each starting
	// within Lateness of its scheduled time.
	Rate     time.Duration
	Lateness Lateness
}

// Aligned is the aligned Lambda with a grid of period P, invoked every
// minute under the EventBridge lateness model.
func Aligned(period time.Duration) Option {
	return Option{Kind: KindAligned, Period: period, Rate: DefaultRate, Lateness: EventBridge}
}

// Waves is the Lambda under a plain one-minute rule: n waves, interval apart,
// per invocation, under the EventBridge lateness model.
func Waves(n int, interval time.Duration) Option {
	return Option{Kind: KindWaves, Waves: n, Interval: interval, Rate: DefaultRate, Lateness: EventBridge}
}

// Daemon is one wave every period on a steady clock (`cfprewarm warm --every`).
func Daemon(every time.Duration) Option {
	return Option{Kind: KindDaemon, Period: every}
}

// Gap is the longest gap allowed for a keep-alive: keepAlive − margin, in
// whole seconds, at least a second.
func Gap(keepAlive, margin time.Duration) time.Duration {
	return max((keepAlive - margin).Truncate(time.Second), time.Second)
}

// AlignedFor is the aligned Lambda whose period is the longest gap a
// keep-alive allows: one wave per keep-alive − margin.
func AlignedFor(keepAlive, margin time.Duration) Option { return Aligned(Gap(keepAlive, margin)) }

// DaemonFor is the daemon with one wave per keep-alive − margin.
func DaemonFor(keepAlive, margin time.Duration) Option { return Daemon(Gap(keepAlive, margin)) }

// AlignedPer is the aligned Lambda with n waves per keepAlive − margin:
// a grid period of Gap / n in whole seconds (at least a second), so that
// every keep-alive holds n waves of fewer requests each. AlignedPer(1, …)
// is AlignedFor.
func AlignedPer(n int, keepAlive, margin time.Duration) Option {
	return Aligned(max((Gap(keepAlive, margin) / time.Duration(max(n, 1))).Truncate(time.Second), time.Second))
}

// WavesFor is the plain-rule schedule with the fewest waves per invocation
// whose longest gap stays within keepAlive − margin under the lateness
// model: w = ⌈(Rate + spread) / G⌉ waves, spread evenly over that worst
// case, ⌈(Rate + spread) / w⌉ apart in whole seconds, so that every gap
// keeps as much slack as it can. For a keep-alive of 60 s: 3 waves 44 s
// apart (longest gap 44 s); 120 s: 2 waves 65 s apart; 180 s: one wave.
func WavesFor(keepAlive, margin time.Duration) (Option, error) {
	if keepAlive-margin < time.Second {
		return Option{}, fmt.Errorf("schedule: keep-alive %v leaves no time between waves (margin %v)", keepAlive, margin)
	}
	worst := DefaultRate + EventBridge.Spread()
	w := max(int(math.Ceil(float64(worst)/float64(Gap(keepAlive, margin)))), 1)
	return SpreadWaves(w, keepAlive, margin), nil
}

// SpreadWaves is the plain-rule schedule of n waves per invocation spread
// evenly over the worst case of the lateness model: ⌈(Rate + spread) / n⌉
// apart in whole seconds, at most keepAlive − margin. It holds when n is at
// least WavesFor's count.
func SpreadWaves(n int, keepAlive, margin time.Duration) Option {
	o := Waves(max(n, 1), 0)
	if n > 1 {
		worst := DefaultRate + EventBridge.Spread()
		o.Interval = min(ceilSecond(worst/time.Duration(n)), Gap(keepAlive, margin))
	}
	return o
}

// ceilSecond rounds d up to a whole second.
func ceilSecond(d time.Duration) time.Duration {
	if t := d.Truncate(time.Second); t < d {
		return t + time.Second
	}
	return d
}

// Validate reports what makes the option meaningless.
func (o Option) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("schedule: "+format, a...)) }
	switch o.Kind {
	case KindAligned, KindDaemon:
		if o.Period < time.Second {
			bad("%s period %v: want at least 1s", o.Kind, o.Period)
		}
	case KindWaves:
		if o.Waves < 1 {
			bad("waves %d: want at least 1", o.Waves)
		}
		if o.Waves > 1 && o.Interval <= 0 {
			bad("wave interval %v: want more than 0", o.Interval)
		}
	default:
		bad("unknown kind %d", int(o.Kind))
	}
	if o.Kind == KindAligned || o.Kind == KindWaves {
		if o.Rate < time.Second {
			bad("rate %v: want at least 1s", o.Rate)
		}
		if o.Lateness.Min < 0 || o.Lateness.Max < o.Lateness.Min {
			bad("lateness [%v, %v]: want 0 ≤ min ≤ max", o.Lateness.Min, o.Lateness.Max)
		}
	}
	return errors.Join(errs...)
}

// String describes the option in a few words: "aligned, every 58s",
// "3 waves 44s apart per invocation", "daemon, every 58s".
func (o Option) String() string {
	switch o.Kind {
	case KindAligned:
		return fmt.Sprintf("aligned, every %v", o.Period)
	case KindWaves:
		if o.Waves == 1 {
			return "1 wave per invocation"
		}
		return fmt.Sprintf("%d waves %v apart per invocation", o.Waves, o.Interval)
	case KindDaemon:
		return fmt.Sprintf("daemon, every %v", o.Period)
	}
	return o.Kind.String()
}

// MaxGap is the longest time between the starts of two consecutive waves
// under the lateness model. Aligned: Period, whatever the lateness.
// Daemon: Period. Waves: max(Interval, Rate + spread − (Waves − 1)·Interval),
// the second term for an invocation as early as the model allows followed
// by one as late as it allows. For Waves it bounds every gap, and is
// reached whenever the spread is at least Interval − Rate (always under
// the EventBridge model for intervals up to 130 s); with less spread the
// next invocation's waves may split a long interval.
func (o Option) MaxGap() time.Duration {
	switch o.Kind {
	case KindAligned, KindDaemon:
		return o.Period
	case KindWaves:
		between := o.Rate + o.Lateness.Spread() - time.Duration(o.Waves-1)*o.Interval
		if o.Waves == 1 {
			return between
		}
		return max(o.Interval, between)
	}
	return 0
}

// Holds says whether the longest gap stays within keepAlive − margin.
func (o Option) Holds(keepAlive, margin time.Duration) bool {
	return o.MaxGap() <= keepAlive-margin
}

// WavesPerHour is the mean number of waves in an hour.
func (o Option) WavesPerHour() float64 {
	switch o.Kind {
	case KindAligned, KindDaemon:
		return float64(time.Hour) / float64(o.Period)
	case KindWaves:
		return float64(o.Waves) * float64(time.Hour) / float64(o.Rate)
	}
	return 0
}

// WavesPerMonth is the number of waves in 30 days.
func (o Option) WavesPerMonth() float64 { return o.WavesPerHour() * Month.Hours() }

// InvocationsPerMonth is the number of Lambda invocations in 30 days (0
// for the daemon, which is not a Lambda).
func (o Option) InvocationsPerMonth() float64 {
	if o.Kind == KindDaemon {
		return 0
	}
	return float64(Month) / float64(o.Rate)
}

// Span is the longest time from an invocation's start to the start of its
// last wave. Aligned: up to Rate + spread (an invocation as early as the
// model allows whose window's last slot is at its very end); Waves:
// (Waves − 1)·Interval; Daemon: 0 (not a Lambda).
func (o Option) Span() time.Duration {
	switch o.Kind {
	case KindAligned:
		return o.Rate + o.Lateness.Spread()
	case KindWaves:
		return time.Duration(o.Waves-1) * o.Interval
	}
	return 0
}

// FunctionTimeout is the Lambda function timeout the option needs: its
// Span, then one request timeout for the last wave, then TimeoutMargin, in
// whole seconds. This is the one formula; the Lambda's environment package
// (warm/lambdaenv), plan and infra (through its contract test) use it.
func (o Option) FunctionTimeout(requestTimeout time.Duration) time.Duration {
	return ceilSecond(o.Span() + requestTimeout + TimeoutMargin)
}

// Billing is the Lambda time billed per invocation, waits included.
type Billing struct {
	// Mean over invocations and the lateness model (uniform lateness).
	Mean time.Duration
	// Max is the longest an invocation within the model is billed.
	Max time.Duration
	// NoSlot is the share of invocations that own no slot and return at
	// once (aligned with a period longer than the rate), billed MinBilled.
	NoSlot float64
}

// Billed is the Lambda time billed per invocation when a wave takes wave:
// from the invocation's start to the end of its last wave. Waves:
// (Waves − 1)·Interval + wave. Aligned: the wait from a start within the
// lateness model to the last slot of its window, plus wave, averaged over
// the grid's phases (every slot pattern the windows go through); windows
// without a slot are billed MinBilled. Daemon: none.
func (o Option) Billed(wave time.Duration) Billing {
	switch o.Kind {
	case KindWaves:
		d := time.Duration(o.Waves-1)*o.Interval + wave
		return Billing{Mean: d, Max: d}
	case KindAligned:
		return o.alignedBilling(wave)
	}
	return Billing{}
}

// maxPhases bounds the invocations alignedBilling averages over.
const maxPhases = 100_000

// alignedBilling averages over one cycle of the grid against the rate: the
// pattern of slots in windows repeats every Period / gcd(Period, Rate)
// invocations (sampled evenly when that is more than maxPhases).
func (o Option) alignedBilling(wave time.Duration) Billing {
	g := o.Grid()
	n := int64(o.Period / gcd(o.Period, o.Rate))
	step := int64(1)
	if n > maxPhases {
		step, n = n/maxPhases, maxPhases
	}
	var sum, worst time.Duration
	noSlot := 0
	for j := range n {
		s := time.Unix(0, 0).Add(time.Duration(j*step) * o.Rate)
		from, to := g.Window(s)
		slots := g.Slots(from, to)
		if len(slots) == 0 {
			noSlot++
			sum += MinBilled
			continue
		}
		last := slots[len(slots)-1].Sub(s)
		sum += last - o.Lateness.mean() + wave
		worst = max(worst, last-o.Lateness.Min+wave)
	}
	return Billing{Mean: sum / time.Duration(n), Max: max(worst, MinBilled), NoSlot: float64(noSlot) / float64(n)}
}

func gcd(a, b time.Duration) time.Duration {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
