package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// rieModule is AWS's Lambda Runtime Interface Emulator, pinned with a tool
// directive in go.mod (go get -tool), so that `go build` of it works
// offline once the module cache has it.
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// scheduledEvent is what an EventBridge rule with a schedule sends.
const scheduledEvent = `{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",` +
	`"source":"aws.events","account":"123456789012","time":"2026-11-29T12:00:00Z","region":"us-east-1",` +
	`"resources":["arn:aws:events:us-east-1:123456789012:rule/cfprewarm-prewarm"],"detail":{}}`

// reportLine is the emulator's REPORT line that ends an invocation's log.
var reportLine = regexp.MustCompile(`REPORT RequestId: \S+\s+(Init Duration: [\d.]+ ms\s+)?Duration: ([\d.]+) ms\s+Billed Duration: \d+ ms\s+Memory Size: 128 MB\s+Max Memory Used: \d+ MB`)

// emulator is the prewarm Lambda's bootstrap binary, built as for
// deployment (-tags lambda.norpc, CGO off, -trimpath) for the local
// architecture, running under AWS's own Runtime Interface Emulator.
type emulator struct {
	t    *testing.T
	addr string           // the emulator's invoke API
	out  *loopback.Output // the emulator's and the function's output
}

// startEmulator builds the bootstrap and the emulator and starts them with
// the function's environment env (NAME=value), skipping the test where the
// emulator cannot run.
func startEmulator(t *testing.T, env ...string) *emulator {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("the Runtime Interface Emulator runs on Linux only, not %s", runtime.GOOS)
	}
	dir := t.TempDir()
	rie := filepath.Join(dir, "aws-lambda-rie")
	if out, err := goBuild(t, "", "-o", rie, rieModule); err != nil {
		t.Skipf("the Runtime Interface Emulator (%s, pinned in go.mod) cannot be built here: %v\n%s", rieModule, err, out)
	}
	bootstrap := filepath.Join(dir, "bootstrap")
	if out, err := goBuild(t, "CGO_ENABLED=0", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, "."); err != nil {
		t.Fatalf("building bootstrap: %v\n%s", err, out)
	}
	invokeAddr, apiAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", invokeAddr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=us-east-1",
		"AWS_LAMBDA_FUNCTION_NAME=cfprewarm-prewarm",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
	}, env...)
	e := &emulator{t: t, addr: invokeAddr, out: &loopback.Output{}}
	cmd.Stdout, cmd.Stderr = e.out, e.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("emulator output:\n%s", cut(e.out.String(), 64<<10))
		}
	})
	waitListening(t, invokeAddr)
	return e
}

// invoke sends one event over the emulator's invoke API and waits for the
// invocation's REPORT line, returning the response and the REPORT line.
func (e *emulator) invoke(payload string) (body []byte, report []string) {
	e.t.Helper()
	before := len(reportLine.FindAllString(e.out.String(), -1))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	url := "http://" + e.addr + "/2015-03-31/functions/function/invocations"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(payload))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("invoke: %s\n%s", resp.Status, cut(string(body), 4096))
	}
	// The REPORT line ends the invocation's log: wait for it.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if all := reportLine.FindAllStringSubmatch(e.out.String(), -1); len(all) > before {
			return body, all[before]
		}
	}
	e.t.Fatalf("no REPORT line in the emulator's output")
	return nil, nil
}

// TestUnderRuntimeInterfaceEmulator runs the prewarm Lambda the way AWS
// runs it: the bootstrap binary under AWS's own Runtime Interface
// Emulator, invoked over the emulator's HTTP API with an EventBridge
// scheduled event, against POPs on loopback. It checks the response (the
// run's summary), the EMF lines (one per POP and wave) and the emulator's
// REPORT line.
func TestUnderRuntimeInterfaceEmulator(t *testing.T) {
	cf := loopback.New(t, testHost, testDist, loopback.POPSpec{Code: "HKG54-C1"}, loopback.POPSpec{Code: "FRA56-P3"})
	e := startEmulator(t, emulatorEnv(cf, "REQUESTS_PER_POP=4", "WAVES=2", "WAVE_INTERVAL=1s", "EMF_NAMESPACE=Test/RIE")...)
	body, m := e.invoke(scheduledEvent)
	s := decode(t, body)
	if s.WavesPlanned != 2 || len(s.Waves) != 2 || s.Total.Requests != 16 || s.Total.OK != 16 || s.Stopped != "" {
		t.Errorf("response: %d of %d waves (stopped %q), %d requests, %d ok; want 2 waves of 2 POPs × 4, all ok\n%s",
			len(s.Waves), s.WavesPlanned, s.Stopped, s.Total.Requests, s.Total.OK, body)
	}
	if n := cf.Requests(); n != 16 {
		t.Errorf("the POPs received %d requests, want 16", n)
	}
	if d, _ := strconv.ParseFloat(m[2], 64); d < 1000 || d > 30000 {
		t.Errorf("REPORT Duration %s ms: want the two waves 1 s apart, under the 30 s timeout", m[2])
	}
	emf := emfLines(t, e.out.String())
	if len(emf) != 4 {
		t.Fatalf("%d EMF lines, want 4 (2 waves × 2 POPs)", len(emf))
	}
	pops := map[string]int{}
	for _, r := range emf {
		if r.AWS.CloudWatchMetrics[0].Namespace != "Test/RIE" || r.Distribution != testDist || r.Requests != 4 || r.Errors != 0 {
			t.Errorf("EMF line %+v", r)
		}
		pops[r.POP]++
	}
	if pops["HKG54-C1"] != 2 || pops["FRA56-P3"] != 2 {
		t.Errorf("EMF lines per POP: %v", pops)
	}
}

// Under the emulator too, an invocation with EventBridge Scheduler's
// scheduled time sends the slots of its window still ahead (here a late
// one: a 1 s grid, its window ending 2 s from now), a second delivery of
// the same scheduled time sends nothing, and neither does one an hour old;
// each summary says so.
func TestScheduledUnderRuntimeInterfaceEmulator(t *testing.T) {
	cf := loopback.New(t, testHost, testDist, loopback.POPSpec{Code: "HKG54-C1"}, loopback.POPSpec{Code: "FRA56-P3"})
	e := startEmulator(t, emulatorEnv(cf, "REQUESTS_PER_POP=4", "KEEPALIVE=3s")...)
	before := cf.Requests()
	// The window is [s+70 s, s+130 s): it ends 2 s after now.
	scheduled := time.Now().Truncate(time.Second).Add(-128 * time.Second)
	read := func(body []byte) (summary, scheduledSummary) {
		var ss scheduledSummary
		if err := json.Unmarshal(body, &ss); err != nil || ss.Schedule == nil {
			t.Fatalf("no schedule in the response (%v): %s", err, body)
		}
		return decode(t, body), ss
	}
	s, ss := read(first(e.invoke(schedulerInput(scheduled))))
	sent := len(ss.Schedule.Sent)
	if ss.Schedule.Status != "late" || ss.Schedule.Owned != 60 || sent < 1 || sent > 3 || len(s.Waves) != sent || cf.Requests()-before != 8*sent {
		t.Errorf("late: %+v, %d waves, %d requests; want the 1–3 slots still ahead of 60, each 2 POPs × 4", *ss.Schedule, len(s.Waves), cf.Requests()-before)
	}
	for name, at := range map[string]time.Time{"duplicate": scheduled, "stale": scheduled.Add(-time.Hour)} {
		before := cf.Requests()
		s, ss := read(first(e.invoke(schedulerInput(at))))
		if ss.Schedule.Status != name || len(ss.Schedule.Sent) != 0 || len(s.Waves) != 0 || cf.Requests() != before {
			t.Errorf("%s: %+v, %d waves, %d requests; want nothing sent", name, *ss.Schedule, len(s.Waves), cf.Requests()-before)
		}
	}
}

func first(body []byte, _ []string) []byte { return body }

// A bad event never crashes the runtime (issue 20): an event over the size
// limit and one listing tens of thousands of bad POP codes each fail their
// invocation with a short error, and the execution environment lives on:
// the next invocation needs no new init and resumes the first one's TLS
// sessions.
func TestBadEventsUnderRuntimeInterfaceEmulator(t *testing.T) {
	cf := loopback.New(t, testHost, testDist, loopback.POPSpec{Code: "HKG54-C1"})
	e := startEmulator(t, emulatorEnv(cf, "POPS=HKG54-C1", "REQUESTS_PER_POP=2", "WAVES=1")...)
	if _, m := e.invoke(""); m[1] == "" {
		t.Errorf("the first invocation reports no init: %s", m[0])
	}
	for name, payload := range map[string]string{
		"2.3 MB of bad POP codes": badPOPsEvent(150_000),
		"200 KB of bad POP codes": badPOPsEvent(13_000),
	} {
		body, m := e.invoke(payload)
		var fail struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		if err := json.Unmarshal(body, &fail); err != nil || fail.Message == "" {
			t.Errorf("%s: response %q, want the invocation's error", name, cut(string(body), 300))
		}
		if len(body) > 8<<10 || !strings.Contains(fail.Message, "invalid prewarm configuration") {
			t.Errorf("%s: a %d-byte error %q, want a short one naming the configuration", name, len(body), cut(fail.Message, 300))
		}
		if m[1] != "" {
			t.Errorf("%s: the execution environment was reset (%s)", name, m[0])
		}
	}
	if out := e.out.String(); strings.Contains(out, "Runtime.ExitError") || len(out) > 1<<20 {
		t.Errorf("%d bytes of output, Runtime.ExitError %v: want the runtime alive and the log bounded",
			len(out), strings.Contains(out, "Runtime.ExitError"))
	}
	before := e.out.String()
	body, m := e.invoke(`{"logRequests":true}`)
	if s := decode(t, body); s.Total.OK != 2 || m[1] != "" {
		t.Errorf("after the bad events: %+v, %s; want the environment's 2 requests, in the same environment", s, m[0])
	}
	if log := strings.TrimPrefix(e.out.String(), before); strings.Count(log, `"tls_resumed":true`) != 2 {
		t.Errorf("want both requests to resume the first invocation's TLS sessions:\n%s", cut(log, 8<<10))
	}
}

// emulatorEnv is the function's environment aimed at cf, plus more.
func emulatorEnv(cf *loopback.CloudFront, more ...string) []string {
	return append([]string{
		"DISTRIBUTION_DOMAIN=" + testDist,
		"HOST=" + testHost,
		"POPS=HKG54-C1,FRA56-P3",
		"PORT=" + strconv.Itoa(cf.Port),
		"DNS_SERVER=" + cf.DNSAddr,
		"CA_FILE=" + cf.CAFile,
		"REQUEST_TIMEOUT=5s",
	}, more...)
}

// badPOPsEvent is an event listing n POP codes that are all invalid.
func badPOPsEvent(n int) string {
	var b strings.Builder
	b.WriteString(`{"pops":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"bad-%07d"`, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
}

// emfRecord is the part of an EMF line the test reads.
type emfRecord struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace string `json:"Namespace"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
	Distribution string  `json:"Distribution"`
	POP          string  `json:"POP"`
	Requests     float64 `json:"Requests"`
	Errors       float64 `json:"Errors"`
}

// emfLines picks the CloudWatch Embedded Metric Format lines out of log
// output.
func emfLines(t *testing.T, log string) []emfRecord {
	t.Helper()
	var out []emfRecord
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("{")) || !bytes.Contains(line, []byte(`"_aws"`)) {
			continue
		}
		var r emfRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Errorf("EMF line is not JSON: %v\n%s", err, line)
			continue
		}
		if len(r.AWS.CloudWatchMetrics) == 0 || r.AWS.Timestamp == 0 {
			t.Errorf("EMF line without _aws metadata: %s", line)
			continue
		}
		out = append(out, r)
	}
	return out
}

// goBuild runs `go build args...` in the package directory with extra
// environment (KEY=value, or "").
func goBuild(t *testing.T, env string, args ...string) ([]byte, error) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goCmd, append([]string{"build"}, args...)...)
	cmd.Env = os.Environ()
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	return cmd.CombinedOutput()
}

// freeAddr returns a loopback host:port nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("the emulator did not listen on %s within 15 s", addr)
}
