package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/klauspost/compress/gzip"
)

// planLogs writes six hours of logs of a rare POP (HKG), a busy one (IAD)
// and a mid one (SIN), in hourly gzip files, and a file of garbage.
func planLogs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	writeHourlyLogs(t, dir, "E2EXAMPLE", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 6, func(at time.Time) (es []accesslog.Entry) {
		add := func(pop string, ttfb time.Duration) {
			es = append(es, accesslog.Entry{Time: at, POP: pop, Method: "GET", Host: warmDist, HostHeader: "api.example.com",
				URIStem: "/api/time", Status: 200, ResultType: "Miss", RequestID: fmt.Sprint(rng.Uint64()), TTFB: ttfb, RangeStart: -1, RangeEnd: -1})
		}
		if rng.IntN(150) == 0 {
			add("HKG62-C1", 620*time.Millisecond)
		}
		if rng.IntN(60) == 0 {
			add("SIN52-C1", 450*time.Millisecond)
		}
		add("IAD89-C3", 30*time.Millisecond)
		add("IAD89-C3", 30*time.Millisecond)
		return es
	})
	os.WriteFile(filepath.Join(dir, "junk.log"), []byte("#Fields: date time\nnot a log\n"), 0o644)
	return dir
}

// writeHourlyLogs writes hours of W3C logs into dir from start, one gzip
// file an hour named as CloudFront names them (<dist>.YYYY-MM-DD-HH.<id>.gz),
// with the records second returns for each second.
func writeHourlyLogs(t *testing.T, dir, dist string, start time.Time, hours int, second func(at time.Time) []accesslog.Entry) {
	t.Helper()
	for h := range hours {
		b := []byte(accesslog.Header())
		for s := range 3600 {
			for _, e := range second(start.Add(time.Duration(h*3600+s) * time.Second)) {
				b = accesslog.AppendW3C(b, e)
			}
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		name := fmt.Sprintf("%s.%s.%08x.gz", dist, start.Add(time.Duration(h)*time.Hour).Format("2006-01-02-15"), h)
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPlanUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"plan"},
		{"plan", dir, "--counts", "x.csv"},
		{"plan", dir, "--format", "yaml"},
		{"plan", dir, "--from", "yesterday"},
		{"plan", filepath.Join(dir, "missing.gz")},
		{"plan", filepath.Join(dir, "*.none")},
		{"plan", dir, "--hosts", "0"},
		{"plan", dir, "--coverage", "1.5"},
		{"plan", dir, "--distribution", "api.example.com"},
		{"plan", "--counts", filepath.Join(dir, "missing.csv")},
		{"plan", dir, "--hosts-file", filepath.Join(dir, "missing.json")},
		{"plan", dir, "--target-keepalive", "2s"},
		{"plan", dir, "--target-cold", "0"},
		{"plan", dir, "--metrics", "some"},
		{"plan", dir, "--response-bytes", "-1"},
		{"plan", dir, "--min-gain-per-dollar", "-1"},
		{"plan", "--counts", filepath.Join(dir, "c.csv"), "--path-prefix", "/api/"},
		{"plan", "--counts", filepath.Join(dir, "c.csv"), "--method", "GET"},
		{"plan", "--counts", filepath.Join(dir, "c.csv"), "--result-type", "Miss"},
		{"plan", "--counts", filepath.Join(dir, "c.csv"), "--fields", "timestamp,x-edge-location"},
	} {
		code, _, stderr := runCmd(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "cfprewarm plan: ") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
	if code, out, _ := runCmd(t, "plan", "--help"); code != 0 || !strings.Contains(out, "--counts") {
		t.Errorf("--help: exit %d", code)
	}
}

// TestPlanNoUsableLine: exit 1, and the reason per file.
func TestPlanNoUsableLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.gz"), []byte{0x1f, 0x8b, 1, 2, 3}, 0o644)
	os.WriteFile(filepath.Join(dir, "b.log"), []byte("hello\nworld\n"), 0o644)
	code, out, stderr := runCmd(t, "plan", dir)
	if code != 1 || out != "" || !strings.Contains(stderr, "no usable request in 2 files") || !strings.Contains(stderr, "b.log: line 1: no #Fields") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

func TestPlanFromLogsAndCounts(t *testing.T) {
	dir := planLogs(t)
	code, out, stderr := runCmd(t, "plan", dir, "--origin-rtt", "190ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"plan from ", "HKG62-C1", "warm #1", "HKG62-C1: warmed: removes ", "IAD89-C3: not warmed: the 1m0s keep-alive alone",
		"junk.log", "seed", "aligned ×2", "the whole bill, a month", "$20.00 per hour of waiting removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	countsFile := filepath.Join(t.TempDir(), "counts.csv")
	code, cdk, stderr := runCmd(t, "plan", dir, "--origin-rtt", "190ms", "--format", "cdk", "--counts-out", countsFile)
	if code != 0 {
		t.Fatalf("cdk: exit %d: %s", code, stderr)
	}
	var doc struct {
		Prewarm []struct {
			Region             string   `json:"region"`
			POPs               []string `json:"pops"`
			DistributionDomain string   `json:"distributionDomain"`
			Host               string   `json:"host"`
			RequestsPerPOP     int      `json:"requestsPerPop"`
		} `json:"prewarm"`
	}
	if err := json.Unmarshal([]byte(cdk), &doc); err != nil || len(doc.Prewarm) == 0 {
		t.Fatalf("cdk output %v: %s", err, cdk)
	}
	if st, err := os.Stat(countsFile); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("--counts-out file: %v %v, want mode 0644 like any output file", st, err)
	}
	if e := doc.Prewarm[0]; e.DistributionDomain != warmDist || e.Host != "api.example.com" || e.RequestsPerPOP < 1 {
		t.Errorf("names from the logs: %+v", e)
	}
	// The counts written from the logs plan the same.
	code, cdk2, stderr := runCmd(t, "plan", "--counts", countsFile, "--origin-rtt", "190ms", "--format", "cdk",
		"--distribution", warmDist, "--host", "api.example.com")
	if code != 0 || cdk2 != cdk {
		t.Errorf("from --counts: exit %d %s\n%s\nwant\n%s", code, stderr, cdk2, cdk)
	}
	// --from and --to keep the same seconds of a counts file as of the logs.
	period := []string{"--from", "2026-11-01T01:00:00Z", "--to", "2026-11-01T03:30:00Z", "--origin-rtt", "190ms", "--format", "json"}
	var plans [2]struct {
		Days     float64 `json:"days"`
		Requests int64   `json:"requests"`
		POPs     []struct {
			Code           string  `json:"pop"`
			RequestsPerDay float64 `json:"requests_per_day"`
		} `json:"pops"`
	}
	for i, args := range [][]string{append([]string{"plan", dir}, period...), append([]string{"plan", "--counts", countsFile}, period...)} {
		code, js, stderr := runCmd(t, args...)
		if err := json.Unmarshal([]byte(js), &plans[i]); code != 0 || err != nil {
			t.Fatalf("%q: exit %d %v %s", args, code, err, stderr)
		}
	}
	if l, c := plans[0], plans[1]; l.Days != 2.5/24 || c.Days != l.Days || c.Requests != l.Requests || len(c.POPs) != 3 ||
		c.POPs[0].RequestsPerDay != l.POPs[0].RequestsPerDay || c.POPs[0].RequestsPerDay <= 0 {
		t.Errorf("--from/--to: logs %+v, counts %+v", l, c)
	}
	// Filters: only IAD's requests left, and it needs no prewarm.
	code, env, _ := runCmd(t, "plan", dir, "--from", "2026-11-01T01:00:00Z", "--to", "2026-11-01T02:00:00Z", "--path-prefix", "/api/",
		"--method", "GET", "--result-type", "Miss", "--format", "lambda-env", "--origin-rtt", "190ms")
	if code != 0 || !strings.Contains(env, "POPS=") || !strings.Contains(env, "URL_PATH=/api/") {
		t.Errorf("filtered lambda-env: exit %d\n%s", code, env)
	}
	// --min-gain 0 is no minimum, as --min-cold 0 is.
	code, js, stderr := runCmd(t, "plan", dir, "--origin-rtt", "190ms", "--format", "json", "--min-gain", "0", "--min-cold", "0")
	var pj struct {
		MinGain float64 `json:"min_gain_per_day_s"`
		MinCold float64 `json:"min_cold"`
	}
	if err := json.Unmarshal([]byte(js), &pj); code != 0 || err != nil || pj.MinGain != 0 || pj.MinCold != 0 {
		t.Errorf("--min-gain 0 --min-cold 0: exit %d %v %s: %+v", code, err, stderr, pj)
	}
	code, _, stderr = runCmd(t, "plan", dir, "--from", "2027-01-01")
	if code != 1 || !strings.Contains(stderr, "left out by the filters") {
		t.Errorf("everything filtered: exit %d %s", code, stderr)
	}
}

func TestLabTrafficUsage(t *testing.T) {
	for _, args := range [][]string{
		{"lab", "traffic"},
		{"lab", "traffic", "--logs", t.TempDir(), "--traffic", "HKG62-C1"},
		{"lab", "traffic", "--logs", t.TempDir(), "--traffic", "HKG62-C1=poisson:1/s"},
		{"lab", "traffic", "--logs", t.TempDir(), "--traffic", "XYZ1-C1=steady:1/s"},
		{"lab", "traffic", "--logs", t.TempDir(), "--traffic", "HKG62-C1=bursty:1/m,spread=-5s"},
		{"lab", "traffic", "--logs", t.TempDir(), "--traffic", "HKG62-C1=bursty:10/s,size=1000"},
		{"lab", "traffic", "--logs", t.TempDir(), "--hosts", "0"},
		{"lab", "traffic", "--logs", t.TempDir(), "extra"},
		{"lab", "traffic", "--logs", planLogs(t)},
		{"lab", "traffic", "--logs", filepath.Join(planLogs(t), "junk.log")},
	} {
		if code, _, stderr := runCmd(t, args...); code != 2 || !strings.HasPrefix(stderr, "cfprewarm lab traffic: ") {
			t.Errorf("%q: exit %d, %q", args, code, stderr)
		}
	}
}

// TestLabTrafficShortRun: a short run writes logs into a new directory,
// reads back only them, prints the prediction beside the measurement, and
// a second run into the same directory is refused (its logs would mix).
func TestLabTrafficShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a lab run")
	}
	dir := filepath.Join(t.TempDir(), "logs")
	args := []string{"lab", "traffic", "--logs", dir, "--duration", "2m", "--time-scale", "60", "--seed", "3",
		"--traffic", "HKG62-C1=steady:2/s", "--traffic", "GRU50-C1=rare:1/10s"}
	code, out, stderr := runCmd(t, args...)
	if code != 0 || strings.Contains(stderr, "reading the logs") || strings.Contains(stderr, "plan:") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, pop := range []string{"HKG62-C1", "GRU50-C1"} {
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, pop) {
				line = l
			}
		}
		if f := strings.Fields(line); len(f) != 7 || f[5] == "-" {
			t.Errorf("%s: no prediction in %q\n%s", pop, line, out)
		}
	}
	if code, _, stderr := runCmd(t, args...); code != 2 || !strings.Contains(stderr, "not empty") {
		t.Errorf("a second run into %s: exit %d, %q", dir, code, stderr)
	}
}

// TestPlanBillFlags: --metrics, --response-bytes and --target-cold reach
// the plan: the metric level and the response size of the bill, and the
// cold share the waves are sized for.
func TestPlanBillFlags(t *testing.T) {
	dir := planLogs(t)
	type doc struct {
		Metrics           string  `json:"metrics"`
		ResponseBytes     int     `json:"response_bytes"`
		ResponseBytesFrom string  `json:"response_bytes_from"`
		TargetCold        float64 `json:"target_cold"`
		Groups            []struct {
			RequestsPerPOP int `json:"requests_per_pop"`
		} `json:"groups"`
	}
	read := func(args ...string) doc {
		t.Helper()
		code, js, stderr := runCmd(t, append([]string{"plan", dir, "--origin-rtt", "190ms", "--min-gain-per-dollar", "0", "--format", "json"}, args...)...)
		var d doc
		if err := json.Unmarshal([]byte(js), &d); code != 0 || err != nil || len(d.Groups) == 0 {
			t.Fatalf("%q: exit %d %v %s", args, code, err, stderr)
		}
		return d
	}
	def := read()
	set := read("--metrics", "full", "--response-bytes", "5000", "--target-cold", "0.0001")
	if def.Metrics != "lean" || def.TargetCold != 0.002 || set.Metrics != "full" || set.ResponseBytes != 5000 || set.ResponseBytesFrom != "configured" ||
		set.TargetCold != 0.0001 || set.Groups[0].RequestsPerPOP <= def.Groups[0].RequestsPerPOP {
		t.Errorf("defaults %+v, set %+v", def, set)
	}
}
