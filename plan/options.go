package plan

import (
	"fmt"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
)

// OptionKind names a way of prewarming.
type OptionKind string

const (
	// OptionPlan is the plan: in each region the cheapest Lambda option
	// at the target keep-alive that meets --target-cold.
	OptionPlan OptionKind = "plan"
	// OptionAligned is the Lambda under EventBridge Scheduler, the
	// scheduled time in its input: waves on a grid (schedule.KindAligned).
	OptionAligned OptionKind = "aligned"
	// OptionWaves is the Lambda under a plain EventBridge rule: waves per
	// invocation (schedule.KindWaves).
	OptionWaves OptionKind = "waves"
	// OptionDaemon is `cfprewarm warm --every`: no scheduler, no Lambda
	// (the host it runs on is not counted).
	OptionDaemon OptionKind = "daemon"
	// OptionSeed is the seed: 60 requests per POP once a minute from a
	// plain rule.
	OptionSeed OptionKind = "seed"
)

// option is one way of prewarming, as pricing sees it: a schedule at a
// keep-alive, and whether the plan may choose it.
type option struct {
	kind OptionKind
	// perKeepAlive is the waves per keep-alive − margin of an aligned or
	// daemon option (schedule.AlignedPer); 0 for the others.
	perKeepAlive int
	sched        schedule.Option
	keepAlive    time.Duration
	window       schedule.Window // sched.WindowWaves(keepAlive), computed once
	// requests per POP per wave when the option fixes them (the seed);
	// 0: sized for --target-cold.
	requests  int
	choosable bool // a Lambda at the target keep-alive: the plan may choose it
}

func newOption(kind OptionKind, perKeepAlive int, s schedule.Option, keepAlive time.Duration, requests int, choosable bool) option {
	return option{kind: kind, perKeepAlive: perKeepAlive, sched: s, keepAlive: keepAlive,
		window: s.WindowWaves(keepAlive), requests: requests, choosable: choosable}
}

// lambda says whether a Lambda sends the waves (its bill counts).
func (o option) lambda() bool { return o.kind != OptionDaemon }

// scheduler says whether EventBridge Scheduler invokes it (else a rule).
func (o option) scheduler() bool { return o.sched.Kind == schedule.KindAligned }

// quota says whether its keep-alive needs a quota increase.
func (o option) quota() bool { return o.keepAlive > DefaultTargetKeepAlive }

// same says whether two options are one.
func (o option) same(p option) bool {
	return o.kind == p.kind && o.perKeepAlive == p.perKeepAlive && o.keepAlive == p.keepAlive && o.requests == p.requests
}

// name is the option's short name in the tables: "aligned ×2 @60s".
func (o option) name() string {
	s := string(o.kind)
	if o.perKeepAlive > 1 {
		s += fmt.Sprintf(" ×%d", o.perKeepAlive)
	}
	return s
}

// about says what the option is, in words.
func (o option) about() string {
	k := o.keepAlive
	var s string
	switch o.kind {
	case OptionAligned:
		s = fmt.Sprintf("the Lambda every minute from EventBridge Scheduler, waves aligned on a %v grid (%d per keep-alive)", o.sched.Period, o.perKeepAlive)
	case OptionWaves:
		s = fmt.Sprintf("the Lambda every minute from a plain EventBridge rule, %s", o.sched)
	case OptionDaemon:
		s = fmt.Sprintf("`cfprewarm warm --every %v` (no scheduler; the host it runs on is not counted)", o.sched.Period)
	case OptionSeed:
		s = fmt.Sprintf("the seed: %d requests per POP once a minute from a plain EventBridge rule", o.requests)
	}
	s += fmt.Sprintf(", keep-alive %v", k)
	if o.quota() {
		s += " (needs a CloudFront quota increase)"
	}
	return s
}

// options are the ways of prewarming the plan prices: at the target
// keep-alive the aligned Lambda with one and with two waves per
// keep-alive − margin, the waves Lambda, the daemon; the same at
// QuotaKeepAlive (when the target is below it); and the seed. The plan
// chooses among the Lambdas at the target keep-alive.
func (pl planner) options() []option {
	k, m := pl.cfg.TargetKeepAlive, pl.cfg.Margin
	at := func(k time.Duration, choosable bool) []option {
		waves, _ := schedule.WavesFor(k, m) // Validate: k − m ≥ 1 s
		return []option{
			newOption(OptionAligned, 1, schedule.AlignedPer(1, k, m), k, 0, choosable),
			newOption(OptionAligned, 2, schedule.AlignedPer(2, k, m), k, 0, choosable),
			newOption(OptionWaves, 0, waves, k, 0, choosable),
			newOption(OptionDaemon, 1, schedule.DaemonFor(k, m), k, 0, false),
		}
	}
	out := at(k, true)
	if k < QuotaKeepAlive {
		out = append(out, at(QuotaKeepAlive, false)...)
	}
	return append(out, newOption(OptionSeed, 0, schedule.Waves(1, 0), k, SeedRequests, false))
}
