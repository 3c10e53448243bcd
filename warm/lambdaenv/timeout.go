package lambdaenv

import (
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
)

// TimeoutMargin is what FunctionTimeout adds to the run's own length: the
// handler keeps up to 3 s before the deadline to write the metrics and
// return (cmd/prewarm-lambda's stop margin), and the rest is room for a wave
// that starts late because the one before it queued behind CONCURRENCY or
// waited for DNS.
const TimeoutMargin = 10 * time.Second

// MaxFunctionTimeout is Lambda's limit on a function's timeout.
const MaxFunctionTimeout = 15 * time.Minute

// FunctionTimeout is the Lambda function timeout a configuration needs:
//
//	(WAVES − 1) × WAVE_INTERVAL + REQUEST_TIMEOUT + 10 s, rounded up to whole seconds
//
// with the Lambda's defaults for unset fields (3 waves, 20 s, 10 s: 60 s).
// The last wave starts (WAVES − 1) × WAVE_INTERVAL after the first and needs
// one REQUEST_TIMEOUT; the handler starts no wave it cannot finish before
// the deadline less its margin. plan prints it, the handler warns below it,
// and infra's stack sets it (its contract test checks
// testdata/function-timeout.json, written from this function).
func FunctionTimeout(cfg warm.Config) time.Duration {
	c := withDefaults(cfg)
	t := time.Duration(c.Waves-1)*c.WaveInterval + c.Timeout + TimeoutMargin
	if r := t % time.Second; r != 0 {
		t += time.Second - r
	}
	return t
}

// withDefaults is cfg as the Lambda runs it: its own default for Waves,
// then warm's for the rest.
func withDefaults(cfg warm.Config) warm.Config {
	if cfg.Waves == 0 {
		cfg.Waves = DefaultWaves
	}
	return cfg.WithDefaults()
}
