package lambdaenv

import (
	"time"

	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Configure is one invocation's configuration: the environment (Parse),
// narrowed by the event (Narrow), validated as warm validates every run,
// and PERIOD checked against the keep-alive. The error lists every problem
// of the three (its text bounded by config.Error); nothing may be sent then.
func Configure(getenv func(string) string, event []byte) (Settings, error) {
	var p config.Problems
	s, err := Parse(getenv)
	p.AddErr(err)
	s, err = Narrow(s, event)
	p.AddErr(err)
	p.AddErr(s.Config.Validate())
	if k := withDefaults(s.Config).KeepAlive; s.Period != 0 && (s.Period < time.Second || s.Period >= k) {
		p.Add("%s %v: must be at least 1s and shorter than the keep-alive %v, or origin connections go idle between waves", VarPeriod, s.Period, k)
	}
	return s, p.Err("prewarm configuration")
}
