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

// CDKEntries returns the "prewarm" list of the plan.
func CDKEntries(p *plan.Plan) []CDKEntry {
	out := []CDKEntry{}
	for _, g := range p.Groups {
		e := CDKEntry{
			Region: g.Region, POPs: g.POPs, DistributionDomain: p.Target.Distribution, Host: p.Target.Host,
			RequestsPerPOP: g.RequestsPerWave, Waves: p.Schedule.Waves,
			WaveInterval: duration(p.Interval.Float()), KeepAlive: duration(p.TargetKeepAlive.Float()),
		}
		if p.Target.Path != "" && p.Target.Path != warm.DefaultPath {
			e.Path = p.Target.Path
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
// region, as NAME=value lines (docs/warm.md's table).
func WriteLambdaEnv(w io.Writer, p *plan.Plan) error {
	if len(p.Groups) == 0 {
		_, err := fmt.Fprintln(w, "# no POP is worth warming (see --format table)")
		return err
	}
	timeout := time.Duration(p.Schedule.Waves)*time.Duration(p.Interval) + warm.DefaultTimeout + 3*time.Second
	for i, g := range p.Groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# %s: the prewarm Lambda in %s (EventBridge every minute; function timeout at least %v)\n",
			strings.Join(g.POPs, ", "), g.Region, timeout)
		env := [][2]string{
			{"DISTRIBUTION_DOMAIN", distribution(p)},
			{"HOST", p.Target.Host},
			{"URL_PATH", p.Target.Path},
			{"POPS", strings.Join(g.POPs, ",")},
			{"REQUESTS_PER_POP", strconv.Itoa(g.RequestsPerWave)},
			{"WAVES", strconv.Itoa(p.Schedule.Waves)},
			{"WAVE_INTERVAL", duration(p.Interval.Float())},
			{"KEEPALIVE", duration(p.TargetKeepAlive.Float())},
		}
		for _, kv := range env {
			if kv[1] != "" {
				fmt.Fprintf(w, "%s=%s\n", kv[0], kv[1])
			}
		}
	}
	return nil
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

// duration writes whole seconds as a Go duration ("40s", "1m0s" as "60s").
func duration(s float64) string {
	return strconv.FormatInt(int64(math.Round(s)), 10) + "s"
}

func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"$`\\&;|<>*?()[]{}!#~") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
