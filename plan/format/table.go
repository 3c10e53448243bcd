package format

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/errwriter"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/stats"
)

// WriteTable writes the plan for people: what was read, the model's
// parameters, a row per POP (best first) and, for every POP, in words why
// it is or is not warmed; the traffic per POP, the Lambdas per region, the
// plan's whole bill line by line, the options compared, warnings and input
// problems.
func WriteTable(w io.Writer, p *plan.Plan) error {
	bw := errwriter.New(w)
	files := ""
	if p.Logs != nil {
		files = fmt.Sprintf(" in %d files", len(p.Logs.Files))
	}
	bw.Printf("plan from %s requests%s (%s), %s → %s UTC (%.2f days)\n", whole(p.Requests), files, p.Source,
		p.From.Format("2006-01-02 15:04"), p.To.Format("2006-01-02 15:04"), p.Days)
	if p.PrewarmRequests > 0 {
		bw.Printf("%s prewarm requests (User-Agent %s): they warm, they are not viewers\n", whole(p.PrewarmRequests), strings.Join(p.PrewarmAgents, ", "))
	}
	bw.Printf("model: keep-alive today %s, target %s; %d edge hosts per POP unless the hosts file says; waves sized for at most %s of a POP's requests cold (--target-cold)",
		secs(p.KeepAlive), secs(p.TargetKeepAlive), p.Hosts, percent(p.TargetCold))
	if p.MinCoverage > 0 {
		bw.Printf(", each wave reaching at least %.2f%% of the hosts", 100*p.MinCoverage)
	}
	bw.Printf("\nvalue for money: a POP is warmed when a dollar of its bill removes at least %g s of viewer waiting a month (--min-gain-per-dollar", p.MinPerDollar)
	if p.MinPerDollar > 0 {
		bw.Printf(": %s per hour of waiting removed", money(p, 3600/p.MinPerDollar))
	}
	bw.Printf(")\n")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.4f\t%s\t%s\t%d\t%.2f\t%s\t%s\t\n",
			pop.Code, dash(pop.Region), count(pop.RequestsPerDay), ms(pop.TTFBP50), ms(pop.Penalty), pop.PenaltyFrom,
			pop.Cold.Current, pop.Cold.KeepAlive, pop.Cold.Prewarmed, ms(pop.RemovedPerRequest), secs(pop.GainPerDay),
			pop.RequestsPerWave, pop.Cost.Total, perDollar(pop.GainPerDollar), verdict)
	}
	tw.Flush()
	for _, pop := range p.POPs {
		bw.Printf("  %s: %s\n", pop.Code, pop.Why)
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
		bw.Printf("  %s: viewers need %d origin connections of a host at once (fewer leave more than %s of their requests cold): %d requests per wave, sent at once, leave that many on a host\n",
			strings.Join(byWave[w], ", "), w.conns, percent(p.TargetCold), w.requests)
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
		bw.Printf("  %-15s %s, %d req/POP/wave, invocation billed %.1f s; %s a month (CloudFront %.2f, Lambda %.2f, scheduler %.2f, CloudWatch %.2f)  %s\n",
			g.Region, g.Schedule.Option, g.RequestsPerWave, time.Duration(g.Invocation).Seconds(), money(p, g.Cost.Total),
			g.Cost.Charges.CloudFront(), g.Cost.Charges.Lambda, g.Cost.Charges.Schedule(), g.Cost.Charges.CloudWatch(), strings.Join(g.POPs, ","))
	}
	if len(p.Groups) > 0 {
		writeBill(bw, p)
	}

	switch p.OptionsFor {
	case plan.OptionsForWarmed:
		bw.Printf("\nthe same POPs, other options (each sized for --target-cold; cold share: expected, over their requests; worst: the worst POP's):\n")
	case plan.OptionsForPassing:
		bw.Printf("\nno POP is warmed; what warming those that fail only for the cost (%s) would take, by option (each sized for --target-cold):\n", strings.Join(p.OptionsPOPs, ", "))
	default:
		bw.Printf("\nno POP passes the thresholds: no option to compare\n")
	}
	tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	if len(p.Options) > 0 {
		fmt.Fprintln(tw, "option\tkeep-alive\tschedule\treq/POP/wave\treq/month\tCloudFront\tLambda\tscheduler\tCloudWatch\ttotal\tcold share\tworst\ttarget\tremoved/day\t\t")
	}
	quota := false
	for _, o := range p.Options {
		sched, k := "per region", secs(o.KeepAlive)
		if o.Schedule != nil {
			sched = o.Schedule.String()
		}
		if o.QuotaIncrease {
			k += "*"
			quota = true
		}
		meets, chosen := "no", ""
		if o.MeetsTarget {
			meets = "yes"
		}
		if o.Chosen {
			chosen = "chosen"
		}
		ch := o.Cost.Charges
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.4f\t%.4f\t%s\t%s\t%s\t\n", o.Name, k, sched, o.RequestsPerWave,
			count(o.Cost.Usage.Requests), ch.CloudFront(), ch.Lambda, ch.Schedule(), ch.CloudWatch(), o.Cost.Total, o.ColdShare, o.WorstCold, meets, secs(o.RemovedPerDay), chosen)
	}
	if len(p.Options) > 0 {
		tw.Flush()
	}
	if quota {
		bw.Printf("  * a keep-alive over 60 s needs a CloudFront quota increase (origin keep-alive timeout, up to 180 s)\n")
	}
	for _, o := range p.Options {
		if o.Kind != plan.OptionPlan && o.KeepAlive != p.TargetKeepAlive {
			continue
		}
		bw.Printf("  %s: %s\n", o.Name, o.About)
	}
	bw.Printf("prices of %s (%s); Lambda %d MiB, %.2f ms CPU per request; responses of %d bytes (%s); metrics %s\n", dash(p.PricesDate), dash(p.Currency),
		p.MemoryMiB, time.Duration(p.CPUPerRequest).Seconds()*1000, p.ResponseBytes, p.ResponseBytesFrom, p.Metrics)

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

// writeBill writes the plan's whole bill, a line per service, with each
// line's account-wide free tier beside it (noted, never subtracted).
func writeBill(bw *errwriter.Writer, p *plan.Plan) {
	u, ch := p.Cost.Usage, p.Cost.Charges
	bw.Printf("\nthe whole bill, a month (free tiers are account-wide, shared with the rest of the account: noted, not subtracted):\n")
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	// free notes the free tier of usage lines: key, unit, key, unit, ...
	free := func(keysUnits ...string) string {
		var parts []string
		for i := 0; i+1 < len(keysUnits); i += 2 {
			if v, ok := p.FreeTier[keysUnits[i]]; ok {
				parts = append(parts, quantity(v)+keysUnits[i+1])
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return "free tier " + strings.Join(parts, " and ") + " a month"
	}
	line := func(what, usage string, v float64, note string) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", what, usage, money(p, v), note)
	}
	line("CloudFront requests", quantity(u.Requests)+" requests", ch.Requests, free("requests", ""))
	line("CloudFront data out", fmt.Sprintf("%.2f GB", u.ResponseGB), ch.Data, free("response_gb", " GB"))
	line("Lambda", fmt.Sprintf("%s invocations, %s GB-s", quantity(u.Invocations), quantity(u.GBSeconds)), ch.Lambda,
		free("lambda_invocations", " invocations", "lambda_gb_s", " GB-s"))
	if u.SchedulerInvocations > 0 {
		line("EventBridge Scheduler", quantity(u.SchedulerInvocations)+" invocations", ch.Scheduler, free("scheduler_invocations", ""))
	}
	if u.RuleEvents > 0 {
		line("EventBridge rule", quantity(u.RuleEvents)+" events", ch.Rules, "")
	}
	line("CloudWatch metrics", fmt.Sprintf("%s (%s)", quantity(u.Metrics), p.Metrics), ch.Metrics, free("metrics", ""))
	line("CloudWatch alarms", quantity(u.AlarmMetrics)+" alarm metrics", ch.Alarms, free("alarm_metrics", ""))
	line("CloudWatch dashboards", quantity(u.Dashboards), ch.Dashboards, free("dashboards", ""))
	line("CloudWatch logs", fmt.Sprintf("%.2f GB", u.LogGB), ch.Logs, free("log_gb", " GB"))
	line("total", "", p.Cost.Total, "")
	tw.Flush()
}

// quantity writes a count: whole numbers below 10,000 as they are, the
// rest with k or M.
func quantity(v float64) string {
	if v == math.Trunc(v) && v < 1e4 {
		return fmt.Sprintf("%.0f", v)
	}
	return count(v)
}

// money writes an amount in the plan's currency.
func money(p *plan.Plan, v float64) string { return plan.Money(p.Currency, v) }

// percent writes a share as a percentage.
func percent(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }

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

// whole writes a number of requests: "7", not "7.0", below a hundred.
func whole[N int | int64](n N) string {
	if n < 100 {
		return strconv.FormatInt(int64(n), 10)
	}
	return count(float64(n))
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
