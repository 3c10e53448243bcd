package lambdaenv

import (
	"cmp"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
)

// TimeoutMargin is what FunctionTimeout adds to the run's own length
// (schedule.TimeoutMargin): the handler keeps up to 3 s before the deadline
// to write the metrics and return (cmd/prewarm-lambda's stop margin), and
// the rest is room for a wave that starts late because the one before it
// queued behind CONCURRENCY or waited for DNS.
const TimeoutMargin = schedule.TimeoutMargin

// MaxFunctionTimeout is Lambda's limit on a function's timeout.
const MaxFunctionTimeout = 15 * time.Minute

// FunctionTimeout is the Lambda function timeout a configuration needs,
// whichever way it is invoked (schedule.Option.FunctionTimeout of each):
//
//	max(60 s + 70 s, (WAVES − 1) × WAVE_INTERVAL) + REQUEST_TIMEOUT + 10 s, rounded up to whole seconds
//
// An aligned invocation (EventBridge Scheduler, with the scheduled time)
// may start as early as its scheduled time and wait for a slot up to the
// end of its window, a minute after the lateness model's 70 s; a plain-rule
// invocation's last wave starts (WAVES − 1) × WAVE_INTERVAL after the
// first. Either needs one REQUEST_TIMEOUT more; the handler starts no wave
// it cannot finish before the deadline less its margin. With the Lambda's
// defaults (3 waves 44 s apart, 10 s): 150 s. plan prints it, and infra's
// stack sets it (its contract test checks testdata/function-timeout.json,
// written from this function).
func FunctionTimeout(cfg warm.Config) time.Duration {
	c := withDefaults(cfg)
	aligned := schedule.Aligned(schedule.Gap(c.KeepAlive, schedule.DefaultMargin))
	return max(aligned.FunctionTimeout(c.Timeout), PlainRule(c).FunctionTimeout(c.Timeout))
}

// withDefaults is cfg as the Lambda runs it: its own defaults for Waves and
// WaveInterval, then warm's for the rest.
func withDefaults(cfg warm.Config) warm.Config {
	return ruleDefaults(cfg).WithDefaults()
}

// ruleDefaults sets the plain-rule waves the Lambda sends without a
// scheduled time when WAVES or WAVE_INTERVAL is unset: the fewest waves
// whose longest gap stays within the keep-alive less schedule.DefaultMargin
// under EventBridge's lateness (schedule.WavesFor; 3 for 60 s, 2 for
// 120 s, 1 for 180 s), spread evenly over its worst case
// (schedule.SpreadWaves; 44 s apart for 3).
func ruleDefaults(c warm.Config) warm.Config {
	k := cmp.Or(c.KeepAlive, warm.DefaultKeepAlive)
	if c.Waves == 0 {
		c.Waves = 1
		if w, err := schedule.WavesFor(k, schedule.DefaultMargin); err == nil {
			c.Waves = min(w.Waves, warm.MaxWaves) // a keep-alive of 3 s would need 130: none holds then
		}
	}
	if c.WaveInterval == 0 && c.Waves > 1 {
		c.WaveInterval = schedule.SpreadWaves(c.Waves, k, schedule.DefaultMargin).Interval
	}
	return c
}

// PlainRule is the schedule of an invocation without a scheduled time: the
// config's waves, once a minute under EventBridge's lateness.
func PlainRule(cfg warm.Config) schedule.Option {
	c := withDefaults(cfg)
	return schedule.Waves(c.Waves, c.WaveInterval)
}

// Aligned is the schedule of an invocation with a scheduled time: the grid
// of PERIOD, or of the keep-alive less schedule.DefaultMargin.
func (s Settings) Aligned() schedule.Option {
	p := s.Period
	if p == 0 {
		p = schedule.Gap(withDefaults(s.Config).KeepAlive, schedule.DefaultMargin)
	}
	return schedule.Aligned(p)
}

// Schedule is what this invocation runs: Aligned with a scheduled time,
// PlainRule without.
func (s Settings) Schedule() schedule.Option {
	if !s.Scheduled.IsZero() {
		return s.Aligned()
	}
	return PlainRule(s.Config)
}
