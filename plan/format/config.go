package format

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/errwriter"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/lambdaenv"
)

// CDKEntry is one element of infra/cdk.json's "prewarm" list (the keys of
// infra/stacks.PrewarmConfig): one prewarm stack in one region. Keys left
// out fall back to "prewarmDefaults".
type CDKEntry struct {
	Region             string   `json:"region"`
	POPs               []string `json:"pops"`
	DistributionDomain string   `json:"distributionDomain,omitempty"`
	Host               string   `json:"host,omitempty"`
	Path               string   `json:"path,omitempty"`
	RequestsPerPOP     int      `json:"requestsPerPop"`
	// Schedule is how the stack invokes the Lambda: "scheduler" (EventBridge
	// Scheduler, aligned waves on the grid of Period) or "rule" (a plain
	// rule, Waves waves WaveInterval apart).
	Schedule     string `json:"schedule"`
	Period       string `json:"period,omitempty"`
	Waves        int    `json:"waves,omitempty"`
	WaveInterval string `json:"waveInterval,omitempty"`
	KeepAlive    string `json:"keepAlive"`
	MemoryMiB    int    `json:"memoryMiB,omitempty"`
	// Metrics is the metric level the plan's bill counts, when not the
	// default (lean).
	Metrics string `json:"metrics,omitempty"`
}

// The values of CDKEntry.Schedule (infra/stacks: ScheduleScheduler,
// ScheduleRule).
const (
	cdkScheduler = "scheduler"
	cdkRule      = "rule"
)

// lambdaSettings is the run the prewarm Lambda of one group makes: what its
// environment (WriteLambdaEnv) and its CDK entry (WriteCDK) say, and what
// the function timeout is computed from (lambdaenv.FunctionTimeout). An
// aligned group sets the grid's period (the Lambda's plain-rule waves, for
// an invocation without a scheduled time, keep their defaults); a waves
// group sets its waves and their interval. A metric level other than the
// default is set, so that the stack creates the metrics the bill counts.
func lambdaSettings(p *plan.Plan, g plan.Group) lambdaenv.Settings {
	c := warm.Config{
		Distribution: distribution(p), Host: p.Target.Host, Path: p.Target.Path, POPs: g.POPs,
		RequestsPerPOP: g.RequestsPerWave, KeepAlive: wholeSeconds(p.TargetKeepAlive.Float()),
	}
	s := lambdaenv.Settings{Config: c}
	if p.Metrics != plan.MetricsLean {
		s.Metrics = warm.MetricLevel(p.Metrics)
	}
	switch g.Schedule.Kind {
	case schedule.KindAligned:
		s.Period = g.Schedule.Period
	case schedule.KindWaves:
		s.Config.Waves, s.Config.WaveInterval = g.Schedule.Waves, g.Schedule.Interval
	}
	return s
}

// CDKEntries returns the "prewarm" list of the plan.
func CDKEntries(p *plan.Plan) []CDKEntry {
	out := []CDKEntry{}
	for _, g := range p.Groups {
		s := lambdaSettings(p, g)
		c := s.Config
		e := CDKEntry{
			Region: g.Region, POPs: c.POPs, DistributionDomain: p.Target.Distribution, Host: c.Host,
			RequestsPerPOP: c.RequestsPerPOP, Schedule: cdkRule, Period: lambdaenv.FormatDuration(s.Period),
			Waves: c.Waves, WaveInterval: lambdaenv.FormatDuration(c.WaveInterval), KeepAlive: lambdaenv.FormatDuration(c.KeepAlive),
			Metrics: string(s.Metrics),
		}
		if g.Schedule.Kind == schedule.KindAligned {
			e.Schedule = cdkScheduler
		}
		if c.Path != "" && c.Path != warm.DefaultPath {
			e.Path = c.Path
		}
		if p.MemoryMiB != plan.DefaultMemoryMiB {
			e.MemoryMiB = p.MemoryMiB
		}
		out = append(out, e)
	}
	return out
}

// WriteCDK writes {"prewarm": [...]}: paste the list into infra/cdk.json's
// context (or pass it with `cdk deploy -c prewarm='[...]'`).
func WriteCDK(w io.Writer, p *plan.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Prewarm []CDKEntry `json:"prewarm"`
	}{CDKEntries(p)})
}

// WriteLambdaEnv writes the prewarm Lambda's environment, one block per
// region, as NAME=value lines (lambdaenv.Encode, in the order of
// docs/warm.md's table), each block headed by how the Lambda is invoked and
// the function timeout it needs (lambdaenv.FunctionTimeout).
func WriteLambdaEnv(w io.Writer, p *plan.Plan) error {
	if len(p.Groups) == 0 {
		_, err := fmt.Fprintln(w, "# no POP is worth warming (see --format table)")
		return err
	}
	ew := errwriter.New(w)
	for i, g := range p.Groups {
		if i > 0 {
			ew.Printf("\n")
		}
		s := lambdaSettings(p, g)
		how := "a plain EventBridge rule every minute"
		if g.Schedule.Kind == schedule.KindAligned {
			how = "EventBridge Scheduler every minute, <aws.scheduler.scheduled-time> in the input"
		}
		ew.Printf("# %s: the prewarm Lambda in %s (%s: %s; function timeout at least %s)\n",
			strings.Join(g.POPs, ", "), g.Region, how, g.Schedule.Option, lambdaenv.FormatDuration(lambdaenv.FunctionTimeout(s.Config)))
		env := lambdaenv.Encode(s)
		for _, name := range lambdaenv.Names {
			if v, ok := env[name]; ok {
				ew.Printf("%s=%s\n", name, v)
			}
		}
	}
	return ew.Err()
}

// WriteWarmCmd writes the `cfprewarm warm` command line that sends the
// plan's POPs their waves from a daemon: the plan's daemon option, one
// wave every keep-alive − margin (no scheduler lateness to allow for) of
// the requests it needs for --target-cold (the most any region needs).
func WriteWarmCmd(w io.Writer, p *plan.Plan) error {
	daemon, _ := p.Option(plan.OptionDaemon)
	var pops []string
	for _, pop := range p.Selected() {
		pops = append(pops, pop.Code)
	}
	if len(pops) == 0 || daemon.Schedule == nil {
		_, err := fmt.Fprintln(w, "# no POP is worth warming (see --format table)")
		return err
	}
	every := lambdaenv.FormatDuration(daemon.Schedule.Period)
	ew := errwriter.New(w)
	ew.Printf("# a daemon (container, VM): one wave every %s keeps every gap under the %s keep-alive; %d requests per POP keep each within --target-cold %g\n",
		every, duration(p.TargetKeepAlive.Float()), daemon.RequestsPerWave, p.TargetCold)
	args := []string{"cfprewarm", "warm", distribution(p)}
	if p.Target.Host != "" {
		args = append(args, "--host", p.Target.Host)
	}
	if p.Target.Path != "" && p.Target.Path != warm.DefaultPath {
		args = append(args, "--path", shellQuote(p.Target.Path))
	}
	args = append(args, "--pops", strings.Join(pops, ","), "--requests", strconv.Itoa(daemon.RequestsPerWave),
		"--every", every, "--keepalive", duration(p.TargetKeepAlive.Float()))
	ew.Printf("%s\n", strings.Join(args, " "))
	return ew.Err()
}

// wholeSeconds is a plan's duration in seconds as a duration of whole
// seconds: the cadence is planned to the second.
func wholeSeconds(s float64) time.Duration {
	return time.Duration(math.Round(s)) * time.Second
}

// duration writes a plan's duration as the Lambda and the CLI read it
// ("40s", "60s").
func duration(s float64) string { return lambdaenv.FormatDuration(wholeSeconds(s)) }

func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"$`\\&;|<>*?()[]{}!#~") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
