package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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

// TestUnderRuntimeInterfaceEmulator runs the prewarm Lambda the way AWS
// runs it: the bootstrap binary, built as for deployment (-tags
// lambda.norpc, CGO off, -trimpath) for the local architecture, under AWS's
// own Runtime Interface Emulator, invoked over the emulator's HTTP API with
// an EventBridge scheduled event, against POPs on loopback. It checks the
// response (the run's summary), the EMF lines (one per POP and wave) and
// the emulator's REPORT line.
func TestUnderRuntimeInterfaceEmulator(t *testing.T) {
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

	e := loopback.New(t, testHost, testDist, loopback.POPSpec{Code: "HKG54-C1"}, loopback.POPSpec{Code: "FRA56-P3"})
	invokeAddr, apiAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", invokeAddr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_REGION=us-east-1",
		"AWS_LAMBDA_FUNCTION_NAME=cfprewarm-prewarm",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"DISTRIBUTION_DOMAIN=" + testDist,
		"HOST=" + testHost,
		"POPS=HKG54-C1,FRA56-P3",
		"PORT=" + strconv.Itoa(e.Port),
		"DNS_SERVER=" + e.DNSAddr,
		"CA_FILE=" + e.CAFile,
		"REQUESTS_PER_POP=4",
		"WAVES=2",
		"WAVE_INTERVAL=1s",
		"REQUEST_TIMEOUT=5s",
		"EMF_NAMESPACE=Test/RIE",
	}
	var out loopback.Output
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("emulator output:\n%s", out.String())
		}
	})
	waitListening(t, invokeAddr)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	url := "http://" + invokeAddr + "/2015-03-31/functions/function/invocations"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(scheduledEvent))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: %s\n%s", resp.Status, body)
	}
	s := decode(t, body)
	if s.WavesPlanned != 2 || len(s.Waves) != 2 || s.Total.Requests != 16 || s.Total.OK != 16 || s.Stopped != "" {
		t.Errorf("response: %d of %d waves (stopped %q), %d requests, %d ok; want 2 waves of 2 POPs × 4, all ok\n%s",
			len(s.Waves), s.WavesPlanned, s.Stopped, s.Total.Requests, s.Total.OK, body)
	}
	if n := e.Requests(); n != 16 {
		t.Errorf("the POPs received %d requests, want 16", n)
	}

	// The REPORT line ends the invocation's log: wait for it, then read
	// the EMF lines before it.
	report := regexp.MustCompile(`REPORT RequestId: \S+\s+(Init Duration: [\d.]+ ms\s+)?Duration: ([\d.]+) ms\s+Billed Duration: \d+ ms\s+Memory Size: 128 MB\s+Max Memory Used: \d+ MB`)
	var m []string
	for deadline := time.Now().Add(5 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = report.FindStringSubmatch(out.String())
	}
	if m == nil {
		t.Fatalf("no REPORT line in the emulator's output")
	}
	if d, _ := strconv.ParseFloat(m[2], 64); d < 1000 || d > 30000 {
		t.Errorf("REPORT Duration %s ms: want the two waves 1 s apart, under the 30 s timeout", m[2])
	}
	emf := emfLines(t, out.String())
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
