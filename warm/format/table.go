package format

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/errwriter"
	"github.com/cfprewarm/cfprewarm/warm"
)

// WriteTable writes the result for people: a block per wave with a row per
// POP, an "all waves" block when there were several, and the first error
// of each kind per POP.
func WriteTable(w io.Writer, r *warm.Result) error {
	ew := errwriter.New(w)
	ew.Printf("prewarm %s  host %s  %s %s  port %d\n", r.Distribution, r.Host, r.Method, r.Path, r.Port)
	pops := r.ByPOP()
	for _, wave := range r.Waves {
		ew.Printf("\nwave %d/%d  started %s  took %s  %s\n", wave.Index, r.WavesPlanned,
			wave.Start.UTC().Format("15:04:05.000Z"), time.Duration(wave.Duration).Round(time.Millisecond), headline(wave.Total))
		writePOPTable(ew, wave.POPs)
	}
	if len(r.Waves) > 1 {
		ew.Printf("\nall %d waves  took %s  %s\n", len(r.Waves), time.Duration(r.Duration).Round(time.Millisecond), headline(r.Total))
		writePOPTable(ew, pops)
	}
	if r.Stopped != warm.StopNone {
		ew.Printf("\nstopped after %d of %d waves: %s\n", len(r.Waves), r.WavesPlanned, stopText(r.Stopped))
	}
	writeSuspects(ew, pops)
	writeProblems(ew, pops)
	return ew.Err()
}

// writeSuspects says, per POP whose edge host ids name no host, why and
// what the waves planned with instead.
func writeSuspects(ew *errwriter.Writer, pops []warm.POPResult) {
	var lines []string
	for _, p := range pops {
		if n := suspectNote(p); n != "" {
			lines = append(lines, "  "+n)
		}
	}
	if len(lines) > 0 {
		ew.Printf("\nedge host ids that name no host (no estimate from them):\n%s\n", strings.Join(lines, "\n"))
	}
}

func headline(s warm.Stats) string {
	line := fmt.Sprintf("%d requests: %d ok, %d errors", s.Requests, s.OK, s.Errors)
	if s.Unfinished > 0 {
		line += fmt.Sprintf(", %d unfinished", s.Unfinished)
	}
	return line + ", origin cold " + ratioText(s)
}

func writePOPTable(ew *errwriter.Writer, pops []warm.POPResult) {
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "POP\tADDRS\tN\tREQS\tOK\tCOLD\tCOVER\tSEEN\tHOSTS\tMISSED\tPOOL COLD\tP50\tP99\tERRORS\tANSWERED BY")
	for _, p := range pops {
		s := p.Stats
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", popText(p), len(p.IPs), s.Planned, s.Requests, s.OK,
			ratioText(s), coverText(p), seenText(p.Sizing), hostsText(p.Sizing), missedText(p.Sizing), poolColdText(p.Sizing),
			latencyText(s.Latency().P50, s), latencyText(s.Latency().P99, s),
			kindsText(s.ErrorsByKind, s.Unfinished), answeredText(p.POP, s.POPs))
	}
	tw.Flush()
}

// writeProblems lists, per POP, the first error message of each kind.
func writeProblems(ew *errwriter.Writer, pops []warm.POPResult) {
	var lines []string
	for _, p := range pops {
		if p.ResolveError != "" {
			lines = append(lines, fmt.Sprintf("  %s: %s", p.POP, p.ResolveError))
			continue
		}
		seen := map[cloudfront.ErrorKind]bool{}
		for _, rq := range p.Requests {
			if !rq.Failed() || rq.Unfinished || seen[rq.Kind] {
				continue
			}
			seen[rq.Kind] = true
			where := p.POP
			if rq.IP.IsValid() {
				where += " " + rq.IP.String()
			}
			lines = append(lines, fmt.Sprintf("  %s: %s", where, rq.Error))
		}
	}
	if len(lines) > 0 {
		ew.Printf("\nerrors (the first of each kind):\n%s\n", strings.Join(lines, "\n"))
	}
}

func ratioText(s warm.Stats) string {
	if v, ok := s.OriginColdRatio().Value(); ok {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return "-"
}

func latencyText(d time.Duration, s warm.Stats) string {
	if s.Latency().N == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1e3)
}

func kindsText(kinds map[cloudfront.ErrorKind]int, unfinished int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	if unfinished > 0 {
		parts = append(parts, fmt.Sprintf("unfinished %d", unfinished))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func answeredText(target string, by map[string]int) string {
	var parts []string
	for _, pop := range slices.Sorted(maps.Keys(by)) {
		if strings.EqualFold(pop, target) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d (mismatch)", pop, by[pop]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func stopText(s warm.StopReason) string {
	switch s {
	case warm.StopDeadline:
		return "the deadline left too little time for the next wave"
	case warm.StopCanceled:
		return "canceled"
	case warm.StopStopped:
		return "stop requested"
	}
	return string(s)
}
