package format

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/errwriter"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/stats"
)

// WriteTable writes the plan for people: what was read, the model's
// parameters, a row per POP (best first), the Lambdas per region, the
// comparison with the seed's and today's schedules, warnings and input
// problems.
func WriteTable(w io.Writer, p *plan.Plan) error {
	bw := errwriter.New(w)
	files := ""
	if p.Logs != nil {
		files = fmt.Sprintf(" in %d files", len(p.Logs.Files))
	}
	bw.Printf("plan from %s requests%s (%s), %s → %s UTC (%.2f days)\n", count(float64(p.Requests)), files, p.Source,
		p.From.Format("2006-01-02 15:04"), p.To.Format("2006-01-02 15:04"), p.Days)
	if p.PrewarmRequests > 0 {
		bw.Printf("%s prewarm requests (User-Agent %s): they warm, they are not viewers\n", count(float64(p.PrewarmRequests)), strings.Join(p.PrewarmAgents, ", "))
	}
	bw.Printf("model: keep-alive today %s, target %s; %d edge hosts per POP unless the hosts file says; one wave reaches %.0f%% of a POP's hosts\n",
		secs(p.KeepAlive), secs(p.TargetKeepAlive), p.Hosts, 100*p.Coverage)
	bw.Printf("schedule: the Lambda every minute (EventBridge fires up to %s late): %d waves %s apart; longest gap %s\n",
		secs(stats.Seconds(p.Schedule.Jitter)), p.Schedule.Waves, secs(p.Interval), secs(p.MaxGap))
	for _, a := range p.Assumptions {
		bw.Printf("assumed: %s\n", a)
	}
	bw.Printf("\n")

	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "POP\tregion\treq/day\tTTFB p50\tpenalty\t\tcold now\tka "+secs(p.TargetKeepAlive)+"\t+prewarm\tremoved/req\tgain/day\treq/wave\t$/month\ts/$\tplan\t")
	for _, pop := range p.POPs {
		verdict := "-"
		if pop.Warm {
			verdict = fmt.Sprintf("warm #%d", pop.Rank)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t%d\t%.2f\t%s\t%s\t\n",
			pop.Code, dash(pop.Region), count(pop.RequestsPerDay), ms(pop.TTFBP50), ms(pop.Penalty), pop.PenaltyFrom,
			pop.Cold.Current, pop.Cold.KeepAlive, pop.Cold.Prewarmed, ms(pop.RemovedPerRequest), secs(pop.GainPerDay),
			pop.RequestsPerWave, pop.Cost.Total, perDollar(pop.GainPerDollar), verdict)
	}
	tw.Flush()
	for _, pop := range p.POPs {
		if !pop.Warm {
			bw.Printf("  %s: %s\n", pop.Code, pop.Why)
		}
	}
	type wave struct{ conns, requests int }
	var waves []wave
	byWave := map[wave][]string{}
	for _, pop := range p.POPs {
		if w := (wave{pop.ConnectionsPerHost, pop.RequestsPerWave}); w.conns > 1 && w.requests > 0 {
			if byWave[w] == nil {
				waves = append(waves, w)
			}
			byWave[w] = append(byWave[w], pop.Code)
		}
	}
	for _, w := range waves {
		bw.Printf("  %s: viewers need %d origin connections of a host at once (fewer leave more than %.0f%% of their requests cold): %d requests per wave, sent at once, leave that many on a host\n",
			strings.Join(byWave[w], ", "), w.conns, 100*(1-p.Coverage), w.requests)
	}

	bw.Printf("\ntraffic per POP (share of requests by the time since the POP's previous one):\n")
	tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "POP\trequests\tprewarm\treq/conn\tconn/host\tactive h\treq/active h\t<1 s\t1–5 s\t5–60 s\t1–5 min\t>5 min\tmedian gap\tTTFB mean\tp50\tp90\t")
	for _, pop := range p.POPs {
		g := pop.Gaps
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%d\t%.2f\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t\n", pop.Code, pop.Requests, pop.PrewarmRequests,
			pop.RequestsPerConnection, pop.ConnectionsPerHost, pop.ActiveHours,
			count(pop.RatePerHour), g.SameSecond, g.UpTo5s, g.UpTo60s, g.UpTo5m, g.Longer, secs(g.Median), ms(pop.TTFBMean), ms(pop.TTFBP50), ms(pop.TTFBP90))
	}
	tw.Flush()

	bw.Printf("\nprewarm Lambdas (--format cdk, lambda-env; or --format warm-cmd for a daemon):\n")
	if len(p.Groups) == 0 {
		bw.Printf("  none: no POP is worth warming\n")
	}
	for _, g := range p.Groups {
		bw.Printf("  %-15s %3d req/POP/wave  invocation %5.1f s  $%.2f/month (CloudFront %.2f, Lambda %.2f)  %s\n",
			g.Region, g.RequestsPerWave, time.Duration(g.Invocation).Seconds(), g.Cost.Total, g.Cost.CloudFront, g.Cost.Lambda, strings.Join(g.POPs, ","))
	}

	bw.Printf("\nthe same POPs, other schedules (cold share: expected, over their requests):\n")
	tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\treq/POP/wave\twaves/run\tlongest gap\treq/month\tCloudFront $\tLambda $\ttotal $\tcold share\tremoved/day\t")
	for _, o := range p.Options {
		n := "as planned"
		if o.RequestsPerWave > 0 {
			n = fmt.Sprint(o.RequestsPerWave)
		}
		interval := stats.Seconds(o.Schedule.Interval)
		waves := fmt.Sprint(o.Schedule.Waves)
		if o.Schedule.Waves > 1 {
			waves += " × " + secs(interval)
		} else if o.Kind == plan.OptionDaemon {
			waves = "1 / " + secs(interval)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.3f\t%s\t\n", o.Kind, n, waves, secs(stats.Seconds(o.Schedule.MaxGap())),
			count(o.Cost.Requests), o.Cost.CloudFront, o.Cost.Lambda, o.Cost.Total, o.ColdShare, secs(o.RemovedPerDay))
	}
	tw.Flush()
	for _, o := range p.Options {
		bw.Printf("  %s: %s\n", o.Kind, o.About)
	}
	bw.Printf("prices of %s (%s); Lambda %d MiB, %.2f ms CPU per request\n", dash(p.PricesDate), dash(p.Currency), p.MemoryMiB, time.Duration(p.CPUPerRequest).Seconds()*1000)

	for _, warn := range p.Warnings {
		bw.Printf("warning: %s\n", warn)
	}
	if p.Logs != nil {
		if probs := p.Logs.Problems(); len(probs) > 0 {
			bw.Printf("\ninput problems in %d of %d files (%d bad lines; the rest was read):\n", len(probs), len(p.Logs.Files), p.Logs.Bad)
			for _, f := range probs {
				var what []string
				if f.Error != "" {
					what = append(what, f.Error)
				}
				if f.Bad > 0 {
					what = append(what, fmt.Sprintf("%d bad lines: %s", f.Bad, strings.Join(f.Examples, "; ")))
				}
				bw.Printf("  %s: %s\n", f.Name, strings.Join(what, "; "))
			}
		}
	}
	if o := p.Outliers; o != nil {
		bw.Printf("\n%d requests outside the plausible period %s → %s left out as bad lines: %s\n", o.Requests,
			o.From.Format(time.DateOnly), o.To.Format(time.DateOnly), strings.Join(o.Examples, "; "))
	}
	if c := p.CountsFile; c != nil && c.Bad > 0 {
		bw.Printf("\ncounts file: %d of %d rows unreadable: %s\n", c.Bad, c.Rows, strings.Join(c.Examples, "; "))
	}
	return bw.Err()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ms writes a duration in milliseconds, "-" for 0.
func ms(v stats.Seconds) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f ms", time.Duration(v).Seconds()*1000)
}

// secs writes a duration short: 40 s, 1.5 min, 2.3 h.
func secs(v stats.Seconds) string {
	d, s := time.Duration(v), time.Duration(v).Seconds()
	switch {
	case d < 100*time.Second:
		return fmt.Sprintf("%.0f s", s)
	case d < 100*time.Minute:
		return fmt.Sprintf("%.1f min", s/60)
	default:
		return fmt.Sprintf("%.1f h", s/3600)
	}
}

// count writes a number with k or M.
func count(n float64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.2f M", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1f k", n/1e3)
	case n >= 100:
		return fmt.Sprintf("%.0f", n)
	}
	return fmt.Sprintf("%.1f", n)
}

func perDollar(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}
