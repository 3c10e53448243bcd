package lambdaenv

import "github.com/cfprewarm/cfprewarm/internal/config"

// Configure is one invocation's configuration: the environment (Parse),
// narrowed by the event (Narrow), validated as warm validates every run.
// The error lists every problem of the three (its text bounded by
// config.Error); nothing may be sent then.
func Configure(getenv func(string) string, event []byte) (Settings, error) {
	var p config.Problems
	s, err := Parse(getenv)
	p.AddErr(err)
	s, err = Narrow(s, event)
	p.AddErr(err)
	p.AddErr(s.Config.Validate())
	return s, p.Err("prewarm configuration")
}
