package format

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

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
func CDKEntries(r Report) []CDKEntry {
	p := r.Plan
	out := []CDKEntry{}
	for _, g := range p.Groups {
		e := CDKEntry{
			Region: g.Region, POPs: g.POPs, DistributionDomain: r.Distribution, Host: r.Host,
			RequestsPerPOP: g.RequestsPerWave, Waves: p.Schedule.Waves,
			WaveInterval: duration(p.IntervalS), KeepAlive: duration(p.TargetS),
		}
		if r.Path != "" && r.Path != warm.DefaultPath {
			e.Path = r.Path
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
// region, as NAME=value lines (docs/warm.md's table).
func WriteLambdaEnv(w io.Writer, r Report) error {
	p := r.Plan
	if len(p.Groups) == 0 {
		_, err := fmt.Fprintln(w, "# no POP is worth warming (see --format table)")
		return err
	}
	timeout := time.Duration(p.Schedule.Waves)*time.Duration(p.IntervalS*float64(time.Second)) + warm.DefaultTimeout + 3*time.Second
	for i, g := range p.Groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# %s: the prewarm Lambda in %s (EventBridge every minute; function timeout at least %v)\n",
			strings.Join(g.POPs, ", "), g.Region, timeout)
		env := [][2]string{
			{"DISTRIBUTION_DOMAIN", r.distribution()},
			{"HOST", r.Host},
			{"URL_PATH", r.Path},
			{"POPS", strings.Join(g.POPs, ",")},
			{"REQUESTS_PER_POP", strconv.Itoa(g.RequestsPerWave)},
			{"WAVES", strconv.Itoa(p.Schedule.Waves)},
			{"WAVE_INTERVAL", duration(p.IntervalS)},
			{"KEEPALIVE", duration(p.TargetS)},
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
