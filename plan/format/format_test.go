package format

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/warm/lambdaenv"
)

// report plans a few hours of three POPs: one rare (warmed), one busy
// (left to keep-alive), one in an airport the table lacks.
func report(t *testing.T) *plan.Plan {
	t.Helper()
	c := plan.NewCounts()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()
	for s := int64(0); s < 6*3600; s++ {
		if rng.IntN(120) == 0 {
			c.Add("HKG62-C1", start+s, 0.62, true)
		}
		if rng.IntN(90) == 0 {
			c.Add("SIN52-C1", start+s, 0.45, true)
		}
		for range 3 {
			c.Add("IAD89-C3", start+s, 0.03+0.02*float64(rng.IntN(2)), true)
		}
		if rng.IntN(600) == 0 {
			c.Add("XYZ1-C1", start+s, 0.1, true)
		}
	}
	cfg := plan.DefaultConfig()
	cfg.OriginRTT = 190 * time.Millisecond
	p, err := plan.Run(context.Background(), plan.Input{Counts: c,
		Target: plan.Target{Distribution: "d111111abcdef8.cloudfront.net", Host: "api.example.com", Path: "/api/time"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Logs = &accesslog.Summary{Files: []accesslog.FileStats{{Name: "a.gz", Records: 10}, {Name: "b.gz", Bad: 2, Examples: []string{"line 3: 10 fields, want 33"}, Error: "truncated after line 9"}}, Bad: 2}
	return p
}

// TestCDKMatchesInfra: every key the cdk output writes is a field of
// infra/stacks.PrewarmConfig (read from its source: infra is a module of
// its own), and the values are what the plan says.
func TestCDKMatchesInfra(t *testing.T) {
	r := report(t)
	var buf bytes.Buffer
	if err := WriteCDK(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	keys := structJSONKeys(t, "../../infra/stacks/config.go", "PrewarmConfig")
	entries := doc["prewarm"]
	if len(entries) != len(r.Groups) || len(entries) == 0 {
		t.Fatalf("%d entries for %d groups: %s", len(entries), len(r.Groups), buf.Bytes())
	}
	for _, e := range entries {
		for k := range e {
			if !slices.Contains(keys, k) {
				t.Errorf("key %q is not a field of infra's PrewarmConfig %v", k, keys)
			}
		}
	}
	g := r.Groups[0]
	e := entries[0]
	// The plan's Lambdas are aligned: EventBridge Scheduler and the grid's
	// period; the plain-rule waves keep the stack's defaults.
	if e["region"] != g.Region || e["requestsPerPop"] != float64(g.RequestsPerWave) || e["schedule"] != "scheduler" || e["period"] != "58s" ||
		e["keepAlive"] != "60s" || e["waves"] != nil || e["waveInterval"] != nil || e["host"] != "api.example.com" || e["path"] != "/api/time" {
		t.Errorf("entry %v for group %+v", e, g)
	}
	if d, err := time.ParseDuration(e["period"].(string)); err != nil || d >= 60*time.Second {
		t.Errorf("period %v must parse and stay below the keep-alive", e["period"])
	}
	if e["metrics"] != nil {
		t.Errorf("lean metrics (the default) written: %v", e["metrics"])
	}
	// Full metrics reach the stack, as the bill counts them.
	r.Metrics = plan.MetricsFull
	if es := CDKEntries(r); es[0].Metrics != "full" {
		t.Errorf("full metrics: %+v", es[0])
	}
	buf.Reset()
	if err := WriteLambdaEnv(&buf, r); err != nil || !strings.Contains(buf.String(), "\nMETRICS=full\n") {
		t.Errorf("full metrics: %v\n%s", err, buf.String())
	}
}

// TestLambdaEnvIsWhatTheLambdaReads: each block of the lambda-env output
// is an environment lambdaenv.Parse (the Lambda's own reader) accepts, and
// it configures the plan's group: its POPs, requests per wave and cadence,
// under the function timeout lambdaenv.FunctionTimeout gives.
func TestLambdaEnvIsWhatTheLambdaReads(t *testing.T) {
	r := report(t)
	var buf bytes.Buffer
	if err := WriteLambdaEnv(&buf, r); err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(strings.TrimSpace(buf.String()), "\n\n")
	if len(blocks) != len(r.Groups) || len(blocks) == 0 {
		t.Fatalf("%d blocks for %d groups:\n%s", len(blocks), len(r.Groups), buf.String())
	}
	for i, block := range blocks {
		g := r.Groups[i]
		env := map[string]string{}
		var timeout string
		for line := range strings.Lines(block) {
			line = strings.TrimSpace(line)
			if c, ok := strings.CutPrefix(line, "#"); ok {
				_, timeout, _ = strings.Cut(c, "function timeout at least ")
				timeout = strings.TrimSuffix(timeout, ")")
				continue
			}
			name, value, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("line %q", line)
			}
			env[name] = value
		}
		s, err := lambdaenv.Configure(func(k string) string { return env[k] }, nil)
		if err != nil {
			t.Fatalf("block %d does not configure the Lambda: %v\n%s", i, err, block)
		}
		c := s.Config
		if strings.Join(c.POPs, ",") != strings.Join(g.POPs, ",") || c.RequestsPerPOP != g.RequestsPerWave || c.Auto ||
			s.Period != g.Schedule.Period || s.Aligned() != g.Schedule.Option || c.KeepAlive != 60*time.Second ||
			c.Distribution != r.Target.Distribution || c.Host != r.Target.Host || c.Path != r.Target.Path {
			t.Errorf("block %d configures %+v (period %v), want group %+v of the plan", i, c, s.Period, g)
		}
		if want := lambdaenv.FormatDuration(lambdaenv.FunctionTimeout(c)); timeout != want || want != "150s" {
			t.Errorf("block %d: function timeout %q, want %q (max(60 s + 70 s, 2 × 44 s) + 10 s + 10 s)", i, timeout, want)
		}
	}
}

func TestWarmCmdAndTable(t *testing.T) {
	r := report(t)
	var buf bytes.Buffer
	if err := WriteWarmCmd(&buf, r); err != nil {
		t.Fatal(err)
	}
	cmd := buf.String()
	daemon, _ := r.Option(plan.OptionDaemon)
	var pops []string
	for _, pop := range r.Selected() {
		pops = append(pops, pop.Code)
	}
	if len(pops) != 2 {
		t.Fatalf("%d POPs warmed, want 2 (HKG, SIN)", len(pops))
	}
	for _, want := range []string{"cfprewarm warm d111111abcdef8.cloudfront.net --host api.example.com --path /api/time --pops " + strings.Join(pops, ",") + " ",
		"--requests " + strconv.Itoa(daemon.RequestsPerWave), "--every 58s", "--keepalive 60s"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("warm command lacks %q:\n%s", want, cmd)
		}
	}
	buf.Reset()
	if err := WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"HKG62-C1", "warm #", "HKG62-C1: warmed: removes ", "IAD89-C3: not warmed: the 1m0s keep-alive alone leaves ",
		`XYZ1-C1: not warmed: airport "XYZ" is not in the POP table`, "seed", "aligned ×2", "3 waves 44s apart per invocation", "aligned, every 2m58s",
		"b.gz: truncated after line 9; 2 bad lines: line 3: 10 fields, want 33", "the whole bill, a month", "EventBridge Scheduler", "CloudWatch dashboards",
		"needs a CloudFront quota increase", "chosen", "$20.00 per hour of waiting removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		POPs   []struct {
			POP  string `json:"pop"`
			Warm bool   `json:"warm"`
			Why  string `json:"why"`
			Cold struct {
				Current float64 `json:"current"`
			} `json:"cold"`
			Cost struct {
				Charges map[string]float64 `json:"charges"`
				Total   float64            `json:"total"`
			} `json:"cost"`
		} `json:"pops"`
		Cost struct {
			Usage map[string]float64 `json:"usage"`
			Total float64            `json:"total"`
		} `json:"cost"`
		Options []struct {
			Name   string `json:"name"`
			Chosen bool   `json:"chosen"`
		} `json:"options"`
		CDK      []map[string]any `json:"cdk_prewarm"`
		Problems []map[string]any `json:"problems"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != plan.SchemaVersion || doc.Type != "plan" || len(doc.POPs) != 4 || !doc.POPs[0].Warm || len(doc.CDK) == 0 || len(doc.Problems) != 1 {
		t.Errorf("json: %+v", doc)
	}
	// Every POP says why, in words; every cost is the whole bill.
	for _, pop := range doc.POPs {
		if want := map[bool]string{true: "warmed: ", false: "not warmed: "}[pop.Warm]; !strings.HasPrefix(pop.Why, want) {
			t.Errorf("json: %s (warm %v) says %q", pop.POP, pop.Warm, pop.Why)
		}
		var sum float64
		for _, v := range pop.Cost.Charges {
			sum += v
		}
		if pop.Cost.Charges["cloudfront_requests"] == 0 && pop.Warm || len(pop.Cost.Charges) != 9 || math.Abs(sum-pop.Cost.Total) > 1e-9 {
			t.Errorf("json: %s's bill %+v", pop.POP, pop.Cost)
		}
	}
	if doc.Cost.Total != r.Cost.Total || doc.Cost.Usage["scheduler_invocations"] != 43200*float64(len(r.Groups)) || len(doc.Options) != len(r.Options) || !doc.Options[1].Chosen {
		t.Errorf("json: the plan's bill %+v, options %+v", doc.Cost, doc.Options)
	}
	if _, err := ParseName("yaml"); err == nil {
		t.Error("yaml accepted")
	}
}

// failingWriter takes n bytes, then fails every write.
type failingWriter struct{ n int }

var errFull = errors.New("disk full")

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		k := w.n
		w.n = 0
		return k, errFull
	}
	w.n -= len(b)
	return len(b), nil
}

// TestWritersReportWriteErrors: a writer that fails at the start, in the
// middle or at the last byte of the output makes the reporter fail with its
// error; none reports success over a cut output.
func TestWritersReportWriteErrors(t *testing.T) {
	r := report(t)
	for _, name := range []Name{Table, JSON, CDK, LambdaEnv, WarmCmd} {
		var full bytes.Buffer
		if err := Write(&full, name, r); err != nil || full.Len() < 10 {
			t.Fatalf("%s: %v, %d bytes", name, err, full.Len())
		}
		for _, n := range []int{0, full.Len() / 2, full.Len() - 1} {
			if err := Write(&failingWriter{n}, name, r); !errors.Is(err, errFull) {
				t.Errorf("%s: a writer failing after %d of %d bytes: error %v", name, n, full.Len(), err)
			}
		}
	}
}

// structJSONKeys returns the json names of a struct type's fields in a Go file.
func structJSONKeys(t *testing.T, path, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != typ {
			return true
		}
		for _, fld := range ts.Type.(*ast.StructType).Fields.List {
			if fld.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(fld.Tag.Value)
			name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			keys = append(keys, name)
		}
		return false
	})
	if len(keys) == 0 {
		t.Fatalf("no %s in %s", typ, path)
	}
	return keys
}

// TestTableCountsRequestsWhole: a plan from a few requests says "plan from
// 7 requests", not "7.0" (a count of requests is whole; rates keep their
// decimal).
func TestTableCountsRequestsWhole(t *testing.T) {
	c := plan.NewCounts()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range int64(7) {
		c.Add("HKG62-C1", start+i*600, 0.62, true)
	}
	cfg := plan.DefaultConfig()
	cfg.OriginRTT = 190 * time.Millisecond
	p, err := plan.Run(context.Background(), plan.Input{Counts: c}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, Table, p); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(buf.String(), "\n"); !strings.HasPrefix(first, "plan from 7 requests") {
		t.Errorf("first line %q, want it to start with \"plan from 7 requests\"", first)
	}
}
