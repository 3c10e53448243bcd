package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/warm/lambdaenv"
)

var update = flag.Bool("update", false, "rewrite testdata/plan-cdk.json from the plan's --format cdk")

// labLikeLogs writes three hours of logs as the lab's POPs write them: the
// Host header with the POP's port (d111111abcdef8.cloudfront.net:33233),
// the viewer's address and port, a User-Agent.
func labLikeLogs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	writeHourlyLogs(t, dir, "EDFDVBD6EXAMPLE", time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), 3, func(at time.Time) (es []accesslog.Entry) {
		add := func(pop string, ttfb time.Duration) {
			es = append(es, accesslog.Entry{Time: at, POP: pop, Method: "GET", Host: warmDist, HostHeader: warmDist + ":33233",
				ClientIP: "127.0.0.1", ClientPort: 30000 + rng.IntN(30000), UserAgent: "Go-http-client/1.1", URIStem: "/", Status: 200,
				ResultType: "Miss", RequestID: fmt.Sprint(rng.Uint64()), TimeTaken: ttfb, TTFB: ttfb, RangeStart: -1, RangeEnd: -1, ContentLen: -1})
		}
		if rng.IntN(120) == 0 {
			add("HKG62-C1", 620*time.Millisecond)
		}
		if rng.IntN(50) == 0 {
			add("SIN52-C1", 450*time.Millisecond)
		}
		if rng.IntN(80) == 0 {
			add("NRT57-P2", 400*time.Millisecond)
		}
		return es
	})
	return dir
}

// TestPlanOutputsAreAcceptedAsPrinted: from logs whose Host header has a
// port (the lab's), the plan names the target without it, and what it
// prints is accepted as printed: every `cfprewarm warm` line parses and
// configures a prewarm run (it is run with a context already ended: all
// that is left to do is the waves), every lambda-env block configures the
// Lambda (lambdaenv.Configure), and the cdk list is
// testdata/plan-cdk.json, which infra's TestContractPlanCDK decodes and
// validates as synth would.
func TestPlanOutputsAreAcceptedAsPrinted(t *testing.T) {
	dir := labLikeLogs(t)
	plan := []string{"plan", dir, "--origin-rtt", "190ms"}

	code, cmds, stderr := runCmd(t, append(plan, "--format", "warm-cmd")...)
	if code != 0 || strings.Contains(cmds, ":33233") {
		t.Fatalf("warm-cmd: exit %d %s\n%s", code, stderr, cmds)
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	lines := 0
	for line := range strings.Lines(cmds) {
		args := strings.Fields(line)
		if len(args) == 0 || args[0] == "#" {
			continue
		}
		lines++
		if args[0] != "cfprewarm" || args[1] != "warm" {
			t.Fatalf("line %q", line)
		}
		var out, errb bytes.Buffer
		code := run(ended, append(args[1:], "--dns-server", "127.0.0.1:9"), &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), "interrupted before the first run") {
			t.Errorf("%s: exit %d: %s", strings.TrimSpace(line), code, errb.String())
		}
	}
	if lines == 0 {
		t.Fatalf("no warm command:\n%s", cmds)
	}

	code, env, stderr := runCmd(t, append(plan, "--format", "lambda-env")...)
	if code != 0 || strings.Contains(env, ":33233") {
		t.Fatalf("lambda-env: exit %d %s\n%s", code, stderr, env)
	}
	for _, block := range strings.Split(strings.TrimSpace(env), "\n\n") {
		vars := map[string]string{}
		for line := range strings.Lines(block) {
			if name, value, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(name, "#") {
				vars[name] = value
			}
		}
		if s, err := lambdaenv.Configure(func(k string) string { return vars[k] }, nil); err != nil || s.Config.Distribution != warmDist {
			t.Errorf("the Lambda refuses the block (%v):\n%s", err, block)
		}
	}

	code, cdk, stderr := runCmd(t, append(plan, "--format", "cdk")...)
	if code != 0 || strings.Contains(cdk, ":33233") || !strings.Contains(cdk, `"distributionDomain": "`+warmDist+`"`) {
		t.Fatalf("cdk: exit %d %s\n%s", code, stderr, cdk)
	}
	const golden = "testdata/plan-cdk.json"
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, []byte(cdk), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(golden); err != nil || string(want) != cdk {
		t.Errorf("%s is not what plan prints (%v): run go test ./cmd/cfprewarm -run TestPlanOutputsAreAcceptedAsPrinted -update, and infra's TestContractPlanCDK\n%s", golden, err, cdk)
	}
}
