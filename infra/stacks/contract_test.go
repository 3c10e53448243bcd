package stacks

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The stacks talk to code in the root module only through names: the
// environment variables the Lambda and the app read, and the EMF metric
// names the alarms and dashboard use. infra/ is a separate module and does
// not import the root module (its tests must not depend on it compiling),
// so these tests read the other side's source and check the names match.

// rootSource parses the non-test Go files of a root-module package,
// skipping the test when the package is not in the checkout.
func rootSource(t *testing.T, pkg string) []*ast.File {
	t.Helper()
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, pkg)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("%s is not in this checkout: %v", pkg, err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
			if err != nil {
				t.Skipf("%s does not parse yet: %v", pkg, err)
			}
			files = append(files, f)
		}
	}
	return files
}

// stringLiterals returns every string literal in the files.
func stringLiterals(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

// stringConsts returns the package's string constants by name.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
			return true
		})
	}
	return out
}

// The Lambda's variables are named in warm/lambdaenv, the package the
// Lambda reads its environment with.
func TestContractLambdaEnvironment(t *testing.T) {
	read := stringConsts(rootSource(t, "warm/lambdaenv"))
	names := map[string]bool{}
	for name, v := range read {
		if strings.HasPrefix(name, "Var") {
			names[v] = true
		}
	}
	env := LambdaPrewarmStackProps{DistributionDomain: testDistribution, POPs: []string{"HKG54-C1"}, Host: "api.example.com", Concurrency: 8,
		Waves: 3, WaveInterval: 40 * time.Second, Period: 29 * time.Second, HostID: true}.withDefaults().environment()
	for name := range env {
		if !names[name] {
			t.Errorf("the stack sets %s but warm/lambdaenv names no such variable (it names %v)", name, names)
		}
	}
}

// The function timeout is the root module's lambdaenv.FunctionTimeout,
// with the Lambda's own defaults: the root module writes a table of
// configurations and their timeouts from that function
// (warm/lambdaenv/testdata/function-timeout.json, kept by its test), and
// the stack must give the same timeout for each.
func TestContractFunctionTimeout(t *testing.T) {
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "warm/lambdaenv/testdata/function-timeout.json"))
	if err != nil {
		t.Skipf("the root module's timeout table is not in this checkout: %v", err)
	}
	var table struct {
		Formula  string            `json:"formula"`
		Defaults map[string]string `json:"defaults"`
		Rows     []struct {
			Env     map[string]string `json:"env"`
			Timeout string            `json:"timeout"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	duration := func(s string) time.Duration {
		t.Helper()
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("%q in the table: %v", s, err)
		}
		return d
	}
	// WAVES and WAVE_INTERVAL default to the Lambda's own: the stack sets
	// neither unless told.
	if d := table.Defaults; d["WAVES"] == "" || d["WAVE_INTERVAL"] == "" || duration(d["REQUEST_TIMEOUT"]) != DefaultRequestTimeout {
		t.Errorf("the Lambda's defaults are %v; the stack's request timeout %s", d, envDuration(DefaultRequestTimeout))
	}
	defaults := LambdaPrewarmStackProps{DistributionDomain: testDistribution, POPs: []string{"HKG54-C1"}}.withDefaults()
	if env := defaults.environment(); env["WAVES"] != nil || env["WAVE_INTERVAL"] != nil {
		t.Errorf("the stack sets WAVES or WAVE_INTERVAL by default: the Lambda's defaults (%v) follow the keep-alive", table.Defaults)
	}
	if len(table.Rows) < 5 {
		t.Fatalf("%d rows in the table", len(table.Rows))
	}
	for _, row := range table.Rows {
		p := LambdaPrewarmStackProps{}
		for name, v := range row.Env {
			switch name {
			case "WAVES":
				p.Waves, err = strconv.Atoi(v)
				if err != nil {
					t.Fatal(err)
				}
			case "WAVE_INTERVAL":
				p.WaveInterval = duration(v)
			case "REQUEST_TIMEOUT":
				p.RequestTimeout = duration(v)
			case "KEEPALIVE":
				p.KeepAlive = duration(v)
			default:
				t.Fatalf("the table sets %s, which the stack's timeout does not read", name)
			}
		}
		if got, want := p.withDefaults().timeout(), duration(row.Timeout); got != want {
			t.Errorf("%v: the stack's function timeout is %s, the Lambda's %s (%s)", row.Env, envDuration(got), envDuration(want), table.Formula)
		}
	}
}

// The Scheduler's input carries the scheduled time in the event field the
// Lambda reads (warm/lambdaenv's event).
func TestContractSchedulerInput(t *testing.T) {
	if read := stringLiterals(rootSource(t, "warm/lambdaenv")); !read[SchedulerInputField] {
		t.Errorf("the schedule's input sets %q, which warm/lambdaenv never reads", SchedulerInputField)
	}
}

func TestContractAppEnvironment(t *testing.T) {
	read := stringLiterals(rootSource(t, "cmd/current-time-app"))
	names := []string{"ORIGIN_VERIFY_SECRET"} // an ECS secret, not in the environment map
	for name := range appEnvironment(CloudfrontDynamicAPIStackProps{}.withDefaults()) {
		names = append(names, name)
	}
	for _, name := range names {
		if !read[name] {
			t.Errorf("the task sets %s but cmd/current-time-app never reads it", name)
		}
	}
}

// The metric levels are the root module's warm.MetricLevel values.
func TestContractMetricLevels(t *testing.T) {
	warm := stringConsts(rootSource(t, "warm"))
	if warm["MetricsLean"] != MetricsLean || warm["MetricsFull"] != MetricsFull {
		t.Errorf("warm.MetricsLean, MetricsFull = %q, %q; the stack writes METRICS %q or %q", warm["MetricsLean"], warm["MetricsFull"], MetricsLean, MetricsFull)
	}
}

func TestContractEMFNames(t *testing.T) {
	warm := stringConsts(rootSource(t, "warm/format"))
	for theirs, ours := range map[string]string{
		"DefaultNamespace":      DefaultEMFNamespace,
		"MetricRequests":        MetricRequests,
		"MetricErrors":          MetricErrors,
		"MetricOriginColdRatio": MetricOriginColdRatio,
		"MetricLatencyP50":      MetricLatencyP50,
		"MetricLatencyP99":      MetricLatencyP99,
		"DimensionDistribution": DimensionDistribution,
		"DimensionPOP":          DimensionPOP,
	} {
		if got, ok := warm[theirs]; !ok || got != ours {
			t.Errorf("warm/format.%s = %q (found: %v), the alarms and dashboard use %q", theirs, got, ok, ours)
		}
	}
}

// TestContractPlanCDK: the "prewarm" list `cfprewarm plan --format cdk`
// prints (cmd/cfprewarm/testdata/plan-cdk.json, kept by the root module's
// TestPlanOutputsAreAcceptedAsPrinted from logs whose Host header has a
// port) decodes over the shipped cdk.json's prewarmDefaults, as synth
// reads it, and every entry makes valid stack props.
func TestContractPlanCDK(t *testing.T) {
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "cmd/cfprewarm/testdata/plan-cdk.json"))
	if err != nil {
		t.Skipf("the root module's plan output is not in this checkout: %v", err)
	}
	var printed struct {
		Prewarm any `json:"prewarm"`
	}
	if err := json.Unmarshal(b, &printed); err != nil {
		t.Fatal(err)
	}
	props, err := AppProps("..", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(nil, (*props.Context)[ContextPrewarmDefaults], printed.Prewarm)
	if err != nil {
		t.Fatalf("the plan's cdk list does not decode: %v", err)
	}
	if len(cfg.Prewarm) == 0 {
		t.Fatal("no entry")
	}
	if err := checkPrewarmNames(cfg.Prewarm); err != nil {
		t.Error(err)
	}
	for _, pc := range cfg.Prewarm {
		if err := prewarmProps(pc, BuildOptions{Getenv: noEnv}).withDefaults().validate(); err != nil {
			t.Errorf("%s: %v", pc.Region, err)
		}
	}
}
