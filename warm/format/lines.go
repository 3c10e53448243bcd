package format

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/errwriter"
	"github.com/cfprewarm/cfprewarm/warm"
)

// WaveLines returns the table reporter of a daemon (cfprewarm warm
// --every): the column header once, before the first run, then one line
// per wave and nothing else, so that a long-running log reads as a list:
//
//	TIME (UTC)      RUN  WAVE  POPS  REQUESTS    OK  ERRORS   COLD      P50      P99  PROBLEMS
//	12:00:00.000Z     1   1/1     2         3     2       1  50.0%   20.0ms   39.6ms  LHR61-C2: tls 1
//
// REQUESTS counts the requests that finished; COLD is the wave's
// origin-cold ratio; PROBLEMS names each POP with
// failed or unfinished requests (or whose name did not resolve) and its
// error kinds. The returned reporter keeps the run count: use one per
// daemon.
func WaveLines() Reporter {
	run := 0
	return func(w io.Writer, r *warm.Result) error {
		ew := errwriter.New(w)
		if run == 0 {
			ew.Printf("prewarm %s  host %s  %s %s  port %d\n", r.Distribution, r.Host, r.Method, r.Path, r.Port)
			ew.Printf("%-14s %4s %5s %5s %9s %5s %7s %6s %8s %8s  %s\n",
				"TIME (UTC)", "RUN", "WAVE", "POPS", "REQUESTS", "OK", "ERRORS", "COLD", "P50", "P99", "PROBLEMS")
		}
		run++
		for _, wave := range r.Waves {
			s := wave.Total
			ew.Printf("%-14s %4d %5s %5d %9d %5d %7d %6s %8s %8s  %s\n",
				wave.Start.UTC().Format("15:04:05.000Z"), run, fmt.Sprintf("%d/%d", wave.Index, r.WavesPlanned),
				len(wave.POPs), s.Requests, s.OK, s.Errors, ratioText(s),
				latencyText(s.Latency().P50, s), latencyText(s.Latency().P99, s), problemsText(wave.POPs))
		}
		if r.Stopped != warm.StopNone && len(r.Waves) < r.WavesPlanned {
			ew.Printf("%-14s %4d  stopped after %d of %d waves: %s\n", r.Start.Add(time.Duration(r.Duration)).UTC().Format("15:04:05.000Z"),
				run, len(r.Waves), r.WavesPlanned, stopText(r.Stopped))
		}
		return ew.Err()
	}
}

// problemsText names the POPs of a wave that had failed or unfinished
// requests, with their error kinds: "NRT57-P2: dns 4; LHR61-C2: tls 1".
func problemsText(pops []warm.POPResult) string {
	var parts []string
	for _, p := range pops {
		if s := p.Stats; s.Errors > 0 || s.Unfinished > 0 {
			parts = append(parts, p.POP+": "+kindsText(s.ErrorsByKind, s.Unfinished))
		}
		if v := p.Sizing.EdgeHostsVerdict; v.Suspect() {
			parts = append(parts, fmt.Sprintf("%s: ids %s (suspect), %d hosts from %s", p.POP, v, p.Sizing.Hosts, p.Sizing.HostsFrom))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
