package lambdaenv

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
)

var update = flag.Bool("update", false, "rewrite testdata/function-timeout.json from FunctionTimeout")

func TestFunctionTimeout(t *testing.T) {
	for _, c := range []struct {
		cfg  warm.Config
		want time.Duration
	}{
		// An aligned invocation may wait up to 60 s + 70 s for its last
		// slot; plain-rule waves need (waves − 1) × interval; then one
		// request timeout and 10 s.
		{warm.Config{}, 150 * time.Second}, // the Lambda's defaults: max(130 s, 2 × 44 s) + 10 s + 10 s
		{warm.Config{Waves: 1}, 150 * time.Second},
		{warm.Config{Waves: 3, WaveInterval: 40 * time.Second}, 150 * time.Second},
		{warm.Config{Waves: 4, WaveInterval: 50 * time.Second}, 170 * time.Second},
		{warm.Config{Waves: 4, WaveInterval: 15 * time.Second, Timeout: 3 * time.Second}, 143 * time.Second},
		{warm.Config{Waves: 2, WaveInterval: 1500 * time.Millisecond, Timeout: 200 * time.Millisecond}, 141 * time.Second}, // 140.2 s, rounded up
		{warm.Config{Waves: 60, WaveInterval: 14 * time.Second, Timeout: 5 * time.Second}, 841 * time.Second},
	} {
		if got := FunctionTimeout(c.cfg); got != c.want {
			t.Errorf("FunctionTimeout(%d waves, %v apart, request timeout %v) = %v, want %v",
				c.cfg.Waves, c.cfg.WaveInterval, c.cfg.Timeout, got, c.want)
		}
	}
}

// timeoutTable is testdata/function-timeout.json: the contract infra's
// stack is checked against (infra/stacks/contract_test.go). infra is a
// module of its own and cannot call FunctionTimeout; this test keeps the
// file equal to what FunctionTimeout says (go test -update rewrites it).
type timeoutTable struct {
	Comment  string            `json:"comment"`
	Formula  string            `json:"formula"`
	Defaults map[string]string `json:"defaults"` // the Lambda's defaults of the variables the formula reads
	Rows     []timeoutRow      `json:"rows"`
}

type timeoutRow struct {
	Env     map[string]string `json:"env"` // WAVES, WAVE_INTERVAL, REQUEST_TIMEOUT; unset: the default
	Timeout string            `json:"timeout"`
}

func TestFunctionTimeoutTable(t *testing.T) {
	envs := []map[string]string{
		{},
		{VarWaves: "1"},
		{VarWaves: "3", VarWaveInterval: "40s"},
		{VarWaves: "4", VarWaveInterval: "50s"},
		{VarKeepAlive: "180s"},
		{VarWaves: "4", VarWaveInterval: "15s", VarRequestTimeout: "3s"},
		{VarWaves: "2", VarWaveInterval: "1500ms", VarRequestTimeout: "200ms"},
		{VarRequestTimeout: "2m"},
		{VarWaves: "60", VarWaveInterval: "14s", VarRequestTimeout: "5s"},
	}
	defaults := withDefaults(warm.Config{})
	table := timeoutTable{
		Comment: "Written by `go test ./warm/lambdaenv -update` from lambdaenv.FunctionTimeout; infra/stacks/contract_test.go checks the stack's function timeout against it.",
		Formula: "max(" + FormatDuration(schedule.DefaultRate) + " + " + FormatDuration(schedule.EventBridge.Max) +
			", (WAVES - 1) x WAVE_INTERVAL) + REQUEST_TIMEOUT + " + FormatDuration(TimeoutMargin) + ", rounded up to whole seconds",
		Defaults: map[string]string{VarWaves: strconv.Itoa(defaults.Waves), VarWaveInterval: FormatDuration(defaults.WaveInterval),
			VarRequestTimeout: FormatDuration(defaults.Timeout)},
	}
	for _, env := range envs {
		s, err := Parse(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		table.Rows = append(table.Rows, timeoutRow{Env: env, Timeout: FormatDuration(FunctionTimeout(s.Config))})
	}
	want, err := json.MarshalIndent(table, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	const file = "testdata/function-timeout.json"
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s is not what FunctionTimeout says (%v): run go test ./warm/lambdaenv -update, and infra's tests\n%s", file, err, want)
	}
}
