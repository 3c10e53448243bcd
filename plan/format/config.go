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
	Waves              int      `json:"waves"`
	WaveInterval       string   `json:"waveInterval"`
	KeepAlive          string   `json:"keepAlive"`
	MemoryMiB          int      `json:"memoryMiB,omitempty"`
}

// lambdaConfig is the run the prewarm Lambda of one group makes: what its
// environment (WriteLambdaEnv) and its CDK entry (WriteCDK) say, and what
// the function timeout is computed from (lambdaenv.FunctionTimeout).
func lambdaConfig(p *plan.Plan, g plan.Group) warm.Config {
	return warm.Config{
		Distribution: distribution(p), Host: p.Target.Host, Path: p.Target.Path, POPs: g.POPs,
		RequestsPerPOP: g.RequestsPerWave, Waves: p.Schedule.Waves,
		WaveInterval: wholeSeconds(p.Interval.Float()), KeepAlive: wholeSeconds(p.TargetKeepAlive.Float()),
	}
}

// CDKEntries returns the "prewarm" list of the plan.
func CDKEntries(p *plan.Plan) []CDKEntry {
	out := []CDKEntry{}
	for _, g := range p.Groups {
		c := lambdaConfig(p, g)
		e := CDKEntry{
			Region: g.Region, POPs: c.POPs, DistributionDomain: p.Target.Distribution, Host: c.Host,
			RequestsPerPOP: c.RequestsPerPOP, Waves: c.Waves,
			WaveInterval: lambdaenv.FormatDuration(c.WaveInterval), KeepAlive: lambdaenv.FormatDuration(c.KeepAlive),
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
// docs/warm.md's table), each block headed by the function timeout its
// waves need (lambdaenv.FunctionTimeout).
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
		c := lambdaConfig(p, g)
		ew.Printf("# %s: the prewarm Lambda in %s (EventBridge every minute; function timeout at least %s)\n",
			strings.Join(g.POPs, ", "), g.Region, lambdaenv.FormatDuration(lambdaenv.FunctionTimeout(c)))
		env := lambdaenv.Encode(lambdaenv.Settings{Config: c})
		for _, name := range lambdaenv.Names {
			if v, ok := env[name]; ok {
				ew.Printf("%s=%s\n", name, v)
			}
		}
	}
	return ew.Err()
}

// WriteWarmCmd writes `cfprewarm warm` command lines that send the plan's
// waves from a daemon: one line per number of requests per wave, every
// keep-alive − margin (no scheduler jitter to allow for).
func WriteWarmCmd(w io.Writer, p *plan.Plan) error {
	daemon, _ := p.Option(plan.OptionDaemon)
	byN := map[int][]string{}
	var ns []int
	for _, pop := range p.Selected() {
		if byN[pop.RequestsPerWave] == nil {
			ns = append(ns, pop.RequestsPerWave)
		}
		byN[pop.RequestsPerWave] = append(byN[pop.RequestsPerWave], pop.Code)
	}
	if len(ns) == 0 {
		_, err := fmt.Fprintln(w, "# no POP is worth warming (see --format table)")
		return err
	}
	ew := errwriter.New(w)
	ew.Printf("# a daemon (container, VM): one wave every %s keeps every gap under the %s keep-alive\n",
		duration(daemon.Schedule.Interval.Seconds()), duration(p.TargetKeepAlive.Float()))
	for _, n := range ns {
		args := []string{"cfprewarm", "warm", distribution(p)}
		if p.Target.Host != "" {
			args = append(args, "--host", p.Target.Host)
		}
		if p.Target.Path != "" && p.Target.Path != warm.DefaultPath {
			args = append(args, "--path", shellQuote(p.Target.Path))
		}
		args = append(args, "--pops", strings.Join(byN[n], ","), "--requests", strconv.Itoa(n),
			"--every", duration(daemon.Schedule.Interval.Seconds()), "--keepalive", duration(p.TargetKeepAlive.Float()))
		ew.Printf("%s\n", strings.Join(args, " "))
	}
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
