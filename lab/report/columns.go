package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// column is one column of the comparison table, shared by the terminal
// table and the HTML table so the two always agree.
type column struct {
	// header is the column's name; a '|' splits it into the two header
	// lines of the terminal table.
	header string
	// numeric columns are right-aligned.
	numeric bool
	cell    func(s Scenario, sum probe.Summary) string
}

// columns of the comparison table; the first is always the scenario's name.
var columns = []column{
	{"|scenario", false, func(s Scenario, _ probe.Summary) string { return s.Name }},
	{"keep-|alive", true, func(s Scenario, _ probe.Summary) string { return configSeconds(s.KeepAlive) }},
	{"origin |idle", true, func(s Scenario, _ probe.Summary) string { return configSeconds(s.OriginIdle) }},
	{"|prewarm", false, func(s Scenario, _ probe.Summary) string { return prewarmCell(s) }},
	{"|hosts", true, func(s Scenario, _ probe.Summary) string { return countOrDash(s.Hosts) }},
	{"|probes", true, func(_ Scenario, sum probe.Summary) string { return strconv.Itoa(sum.Requests) }},
	{"|errors", true, func(_ Scenario, sum probe.Summary) string { return strconv.Itoa(sum.Errors) }},
	{"total |p50", true, func(_ Scenario, sum probe.Summary) string { return okSeconds(sum, sum.Timings.Total.P50) }},
	{"total |p90", true, func(_ Scenario, sum probe.Summary) string { return okSeconds(sum, sum.Timings.Total.P90) }},
	{"TLS |p50", true, func(_ Scenario, sum probe.Summary) string { return okSeconds(sum, sum.Timings.AppConnect.P50) }},
	{"first byte |p50", true, func(_ Scenario, sum probe.Summary) string { return okSeconds(sum, sum.Timings.StartTransfer.P50) }},
	{"origin |warm", true, func(_ Scenario, sum probe.Summary) string { return warmCell(sum.Origin) }},
	{"prewarm |cold", true, func(s Scenario, _ probe.Summary) string { return prewarmColdCell(s) }},
}

// headerLines splits a column header into its two terminal lines.
func (c column) headerLines() (string, string) {
	a, b, _ := strings.Cut(c.header, "|")
	return strings.TrimSpace(a), b
}

// columnNotes explain the less obvious columns, below the table.
const columnNotes = `Times in seconds. TLS = viewer TLS done (curl time_appconnect); first byte = curl time_starttransfer.
origin warm = share of probes whose POP reused an origin connection (Server-Timing cdn-upstream-connect = 0).
prewarm cold = share of the requests of the prewarm waves after the first that found no warm origin connection.`

// seconds formats a measured duration in seconds with millisecond precision.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func okSeconds(sum probe.Summary, d time.Duration) string {
	if sum.OK == 0 {
		return "-"
	}
	return seconds(d)
}

// configSeconds formats a configured duration: "5 s", "0.5 s", "-" when unset.
func configSeconds(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// rtt formats a round-trip time in milliseconds.
func rtt(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + " ms"
}

func countOrDash(n int) string {
	if n <= 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func prewarmCell(s Scenario) string {
	switch {
	case !s.Prewarm:
		return "no"
	case s.PrewarmAuto:
		return "auto"
	case s.PrewarmRequestsPerPOP > 0:
		return fmt.Sprintf("%d req/POP", s.PrewarmRequestsPerPOP)
	default:
		return "yes"
	}
}

func warmCell(o probe.OriginSummary) string { return ratioCell(o.WarmRatio()) }

func prewarmColdCell(s Scenario) string {
	v, ok := s.PrewarmColdRatio.Value()
	if !s.Prewarm || !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

// percent formats a relative difference with its sign: "+1.2%", "−0.3%".
func percent(p float64) string {
	s := strconv.FormatFloat(math.Abs(p), 'f', 1, 64)
	if p < 0 && s != "0.0" {
		return "\u2212" + s + "%"
	}
	return "+" + s + "%"
}

// comparison is a published median next to the lab's.
type comparison struct {
	Reference
	Lab         time.Duration
	DiffPercent float64 // (lab − published) / published × 100
}

func (c comparison) String() string {
	return fmt.Sprintf("%s: published %.3f s, lab %.3f s (%s)", c.Scenario, c.TotalP50.Seconds(), c.Lab.Seconds(), percent(c.DiffPercent))
}

// comparisons pairs each Reference with its scenario's median Total,
// leaving out references to scenarios that did not run or had no response.
func (r Report) comparisons() []comparison {
	var out []comparison
	for _, ref := range r.Reference {
		s, ok := r.scenario(ref.Scenario)
		if !ok || ref.TotalP50 <= 0 {
			continue
		}
		sum := s.summary()
		if sum.OK == 0 {
			continue
		}
		lab := sum.Timings.Total.P50
		out = append(out, comparison{ref, lab, 100 * float64(lab-ref.TotalP50) / float64(ref.TotalP50)})
	}
	return out
}

// speedupHow says how the speedup was computed ("median Total a 0.620 s ÷
// b 0.240 s"), or why there is none.
func (r Report) speedupHow() string {
	b, ok1 := r.scenario(r.Baseline)
	i, ok2 := r.scenario(r.Improved)
	if r.Speedup() == 0 || !ok1 || !ok2 {
		return fmt.Sprintf("needs successful probes in both %q and %q", r.Baseline, r.Improved)
	}
	return fmt.Sprintf("median Total %s %.3f s \u00f7 %s %.3f s", b.Name, b.summary().Timings.Total.P50.Seconds(),
		i.Name, i.summary().Timings.Total.P50.Seconds())
}

// speedupLine explains the speedup in one line, or says why there is none;
// empty when the report names no baseline and improved scenario.
func (r Report) speedupLine() string {
	if r.Baseline == "" && r.Improved == "" {
		return ""
	}
	sp := r.Speedup()
	if sp == 0 {
		return "speedup: n/a (" + r.speedupHow() + ")"
	}
	line := fmt.Sprintf("speedup %.2f\u00d7: %s", sp, r.speedupHow())
	if ps := r.PublishedSpeedup(); ps > 0 {
		line += fmt.Sprintf(" (published %.2f\u00d7)", ps)
	}
	return line
}

// paramsLines describe the emulated profile and the time scale in two lines.
func (r Report) paramsLines() string {
	var sb strings.Builder
	sb.WriteString("profile ")
	if r.Profile != "" {
		sb.WriteString(r.Profile)
	} else {
		sb.WriteString("(unnamed)")
	}
	if r.ProfileDesc != "" {
		fmt.Fprintf(&sb, " (%s)", r.ProfileDesc)
	}
	fmt.Fprintf(&sb, "\nviewer RTT %s", rtt(r.ViewerRTT))
	if r.EdgeTLS > 0 {
		fmt.Fprintf(&sb, ", POP TLS handshake %s", rtt(r.EdgeTLS))
	}
	fmt.Fprintf(&sb, ", origin RTT %s", rtt(r.OriginRTT))
	if r.ProbeInterval > 0 {
		fmt.Fprintf(&sb, ", probes every %s", configSeconds(r.ProbeInterval))
	}
	if k := r.timeScale(); k != 1 {
		fmt.Fprintf(&sb, ", time scale \u00f7%s (timeouts and intervals only; RTTs real)", strconv.FormatFloat(k, 'f', -1, 64))
	}
	return sb.String()
}
