package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/lab"
	"github.com/cfprewarm/cfprewarm/lab/report"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/probe/format"
)

const labAbout = `
Runs the real origin, emulated CloudFront POPs (per-host origin pools,
keep-alive expiry, CloudFront headers), a DNS server for *.cloudfront.net and
user-space latency on loopback, then probes as a viewer with the real probe
while the real prewarm engine runs. The default reproduces the seed's
experiment, viewers in Hong Kong and origin in Frankfurt: keep-alive 5 s
without prewarm, then keep-alive 60 s with prewarm, 20 probes 90 s apart,
with every timeout and interval divided by --time-scale (round trips never).
Prints check_url_timing.sh's line per probe, then a comparison table and the
speedup. 'cfprewarm lab serve' keeps a lab running to explore by hand.`

func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lab", "lab [flags]   (and 'cfprewarm lab serve --help')", labAbout, stdout)
	var (
		cfg       lab.Config
		scenarios []string
		quick     = fs.Bool("quick", false, fmt.Sprintf("a short run for CI: %d probes per scenario at time scale %d (under 20 s)", lab.QuickProbes, lab.QuickTimeScale))
		out       = fs.String("out", "", "write results.jsonl, summary.json, report.html and PNG charts into `DIR`")
	)
	fs.StringVar(&cfg.Profile, "profile", lab.DefaultProfile, "geography: "+strings.Join(lab.ProfileNames(), ", "))
	fs.StringSliceVar(&scenarios, "scenario", nil, "`name`s to run, comma-separated or repeated, or 'all': "+strings.Join(lab.ScenarioNames(), ", ")+
		" (default "+strings.Join(lab.DefaultScenarios, ",")+")")
	fs.IntVar(&cfg.Probes, "probes", lab.DefaultProbes, "viewer probes per scenario")
	fs.DurationVar(&cfg.ProbeInterval, "interval", lab.DefaultProbeInterval, "time between viewer probes, before time scaling")
	fs.Float64Var(&cfg.TimeScale, "time-scale", lab.DefaultTimeScale, "divide every timeout and interval by `K` (never the round-trip times)")
	fs.IntVar(&cfg.Hosts, "hosts", lab.DefaultHosts, "edge hosts per POP, each with its own origin connection pool")
	fs.Int64Var(&cfg.Seed, "seed", 0, "random `seed` of the edge hosts' assignment of viewer connections (0: a random one, printed)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		if sub := closest(pos[0], []string{"serve", "traffic"}); sub != "" {
			return usagef("unknown subcommand %q: did you mean 'cfprewarm lab %s'?", pos[0], sub)
		}
		return usagef("unexpected argument %q (the subcommands are 'lab serve' and 'lab traffic')", pos[0])
	}
	if err := refuseZero(fs, "probes", "interval", "time-scale", "hosts"); err != nil {
		return err
	}
	if *quick {
		if !fs.Changed("probes") {
			cfg.Probes = lab.QuickProbes
		}
		if !fs.Changed("time-scale") {
			cfg.TimeScale = lab.QuickTimeScale
		}
	}
	for _, name := range splitList(scenarios) {
		if name != "all" {
			cfg.Scenarios = append(cfg.Scenarios, name)
			continue
		}
		// Every scenario that keeps its timing with this profile and time
		// scale; the others are named with the time scale they need.
		fit, unfit := cfg.FitScenarios()
		cfg.Scenarios = append(cfg.Scenarios, fit...)
		setBy := fmt.Sprintf("--time-scale %g is", cfg.TimeScale)
		if *quick && !fs.Changed("time-scale") {
			setBy = fmt.Sprintf("--quick sets --time-scale %g,", cfg.TimeScale)
		}
		for _, u := range unfit {
			fix := fmt.Sprintf("run it with --time-scale %.0f", math.Floor(u.Max))
			if u.Max < 1 {
				fix = "not even real time (--time-scale 1) fits it: try --profile traffic"
			}
			fmt.Fprintf(stderr, "lab: skipping scenario %s: %s too high for it with profile %s (round trips are not scaled): %s\n",
				u.Scenario, setBy, cfg.Profile, fix)
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{explainTimeScale(err, *quick && !fs.Changed("time-scale"))}
	}
	if *out != "" {
		if err := checkOutDir("--out", *out); err != nil {
			return err
		}
	}

	cfg.Version = buildInfo().String()
	cfg.Command = append([]string{"cfprewarm", "lab"}, args...)
	prog := newProgress(stderr, 0)
	current := ""
	cfg.OnStatus = func(msg string) {
		prog.clear()
		fmt.Fprintf(stderr, "lab: %s\n", msg)
	}
	cfg.OnProbe = func(s lab.Scenario, r probe.Result) {
		prog.clear()
		if s.Name != current {
			current = s.Name
			fmt.Fprintf(stdout, "# %s: %s\n", s.Name, s.Title)
		}
		fmt.Fprintln(stdout, format.CheckURLTimingLine(r))
		if !r.OK() {
			fmt.Fprintf(stderr, "lab: probe %d failed: %s\n", r.Seq, r.Error)
		}
		prog.status(fmt.Sprintf("%s: %d/%d probes, origin %s", s.Name, r.Seq, cfg.Probes, r.Origin))
	}
	start := time.Now()
	rep, err := lab.Run(ctx, cfg)
	prog.clear()
	interrupted := errors.Is(err, context.Canceled)
	if err != nil && !interrupted {
		return err
	}
	if len(rep.Scenarios) > 0 {
		fmt.Fprintln(stdout)
		if werr := report.WriteTable(stdout, rep); werr != nil {
			return werr
		}
	}
	if *out != "" && len(rep.Scenarios) > 0 {
		paths, werr := report.WriteDir(*out, rep)
		if werr != nil {
			return fmt.Errorf("writing the report: %w", werr)
		}
		fmt.Fprintf(stderr, "lab: wrote %s\n", strings.Join(paths, ", "))
	}
	fmt.Fprintf(stderr, "lab: done in %s\n", time.Since(start).Round(100*time.Millisecond))
	if interrupted {
		return exitError{code: 1, msg: interruptedMessage(rep, cfg.Probes)}
	}
	return nil
}

// explainTimeScale turns the lab's "time scale too high" problems, one
// per scenario, into one that names the flag to give: --time-scale at the
// lowest maximum, saying that --quick set the scale when it did. The
// configuration's other problems stay as they are.
func explainTimeScale(err error, setByQuick bool) error {
	var ce *config.Error
	if !errors.As(err, &ce) {
		return err
	}
	var lowest *lab.TimeScaleError
	var others []string
	for _, p := range ce.Problems {
		var te *lab.TimeScaleError
		switch {
		case !errors.As(p, &te):
			others = append(others, p.Error())
		case lowest == nil || te.Max < lowest.Max:
			lowest = te
		}
	}
	if lowest == nil {
		return err
	}
	why := fmt.Sprintf("too high for scenario %s with profile %s (round trips are not scaled)", lowest.Scenario, lowest.Profile)
	msg := fmt.Sprintf("--time-scale %g is %s: give --time-scale %g or lower", lowest.Scale, why, lowest.Max)
	if setByQuick {
		msg = fmt.Sprintf("--quick sets --time-scale %g, %s: add --time-scale %g", lowest.Scale, why, lowest.Max)
	}
	return errors.New(strings.Join(append(others, msg), "; "))
}

// interruptedMessage says what the report of an interrupted run covers.
func interruptedMessage(rep report.Report, probes int) string {
	if len(rep.Scenarios) == 0 {
		return "interrupted before any probe finished: no report"
	}
	parts := make([]string, len(rep.Scenarios))
	for i, s := range rep.Scenarios {
		parts[i] = fmt.Sprintf("%s (%d of %d probes)", s.Name, len(s.Results), probes)
	}
	return "interrupted: the report covers " + strings.Join(parts, ", ")
}
