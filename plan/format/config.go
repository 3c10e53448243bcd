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
func lambdaConfig(r Report, g plan.Group) warm.Config {
	p := r.Plan
	return warm.Config{
		Distribution: r.distribution(), Host: r.Host, Path: r.Path, POPs: g.POPs,
		RequestsPerPOP: g.RequestsPerWave, Waves: p.Schedule.Waves,
		WaveInterval: wholeSeconds(p.IntervalS), KeepAlive: wholeSeconds(p.TargetS),
	}
}

// CDKEntries returns the "prewarm" list of the plan.
func CDKEntries(r Report) []CDKEntry {
	p := r.Plan
	out := []CDKEntry{}
	for _, g := range p.Groups {
		c := lambdaConfig(r, g)
		e := CDKEntry{
			Region: g.Region, POPs: c.POPs, DistributionDomain: r.Distribution, Host: c.Host,
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
func WriteCDK(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Prewarm []CDKEntry `json:"prewarm"`
	}{CDKEntries(r)})
}

// WriteLambdaEnv writes the prewarm Lambda's environment, one block per
// region, as NAME=value lines (lambdaenv.Encode, in the order of
// docs/warm.md's table), each block headed by the function timeout its
// waves need (lambdaenv.FunctionTimeout).
func WriteLambdaEnv(w io.Writer, r Report) error {
	p := r.Plan
	if len(p.Groups) == 0 {
		_, err := fmt.Fprintln(w, "# no POP is worth warming (see --format table)")
		return err
	}
	ew := errwriter.New(w)
	for i, g := range p.Groups {
		if i > 0 {
			ew.Printf("\n")
		}
		c := lambdaConfig(r, g)
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
func WriteWarmCmd(w io.Writer, r Report) error {
	p := r.Plan
	var daemon plan.Option
	for _, o := range p.Options {
		if o.Name == "daemon" {
			daemon = o
		}
	}
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
	fmt.Fprintf(w, "# a daemon (container, VM): one wave every %s keeps every gap under the %s keep-alive\n",
		duration(daemon.IntervalS), duration(p.TargetS))
	for _, n := range ns {
		args := []string{"cfprewarm", "warm", r.distribution()}
		if r.Host != "" {
			args = append(args, "--host", r.Host)
		}
		if r.Path != "" && r.Path != warm.DefaultPath {
			args = append(args, "--path", shellQuote(r.Path))
		}
		args = append(args, "--pops", strings.Join(byN[n], ","), "--requests", strconv.Itoa(n),
			"--every", duration(daemon.IntervalS), "--keepalive", duration(p.TargetS))
		fmt.Fprintln(w, strings.Join(args, " "))
	}
	return nil
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
