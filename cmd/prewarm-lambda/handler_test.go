package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm/lambdaenv"
)

const (
	testDist = "d111111abcdef8.cloudfront.net"
	testHost = "api.example.test"
)

// fixture is a Lambda handler aimed at two stand-in POPs.
type fixture struct {
	edge    *loopback.CloudFront
	env     map[string]string
	mu      sync.Mutex
	metrics bytes.Buffer
	logs    bytes.Buffer
}

func newFixture(t *testing.T, specs ...loopback.POPSpec) *fixture {
	t.Helper()
	if len(specs) == 0 {
		specs = []loopback.POPSpec{{Code: "HKG54-C1"}, {Code: "FRA56-P3"}}
	}
	return fixtureAt(loopback.New(t, testHost, testDist, specs...), specs)
}

// fixtureAt is a Lambda handler aimed at the POPs of specs in e.
func fixtureAt(e *loopback.CloudFront, specs []loopback.POPSpec) *fixture {
	return &fixture{edge: e, env: map[string]string{
		"DISTRIBUTION_DOMAIN": testDist,
		"HOST":                testHost,
		"POPS":                strings.Join(loopback.Codes(specs), ", "),
		"PORT":                strconv.Itoa(e.Port),
		"DNS_SERVER":          e.DNSAddr,
		"CA_FILE":             e.CAFile,
		"REQUESTS_PER_POP":    "5",
		"WAVES":               "1",
		"REQUEST_TIMEOUT":     "5s",
	}}
}

// invoke calls the handler the way the Lambda runtime does.
func (f *fixture) invoke(ctx context.Context, payload string) ([]byte, error) {
	h := &handler{getenv: func(k string) string { return f.env[k] }, metrics: &f.metrics, logs: &f.logs}
	return lambda.NewHandler(h).Invoke(ctx, []byte(payload))
}

// summary is the part of the response (format.Summary) the tests read.
type summary struct {
	Type         string `json:"type"`
	Path         string `json:"path"`
	WavesPlanned int    `json:"waves_planned"`
	Stopped      string `json:"stopped"`
	Waves        []struct {
		Wave     int `json:"wave"`
		Requests int `json:"requests"`
	} `json:"waves"`
	POPs []struct {
		POP             string `json:"pop"`
		Planned         int    `json:"planned"`
		OK              int    `json:"ok"`
		RequestsPerWave int    `json:"requests_per_wave"`
		Sizing          string `json:"sizing"`
		HostsFrom       string `json:"hosts_from"`
		Estimate        *int   `json:"edge_hosts_estimate"`
	} `json:"pops"`
	Total struct {
		Requests int `json:"requests"`
		OK       int `json:"ok"`
	} `json:"total"`
}

func decode(t *testing.T, out []byte) summary {
	t.Helper()
	var s summary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("response is not the summary: %v\n%s", err, out)
	}
	return s
}

// emfLines parses the EMF output into root objects.
func (f *fixture) emfLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(f.metrics.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("metrics line is not JSON: %v: %s", err, line)
		}
		if _, ok := m["_aws"]; !ok {
			t.Fatalf("metrics line without _aws: %s", line)
		}
		out = append(out, m)
	}
	return out
}

// Every form of "no overrides" runs the environment's configuration.
func TestEnvOnly(t *testing.T) {
	f := newFixture(t)
	f.env["URL_PATH"] = "/from-env"
	f.env["HEADERS"] = `{"X-Prewarm": "env"}`
	f.env["EMF_NAMESPACE"] = "Test/Prewarm"
	payloads := map[string]string{
		"empty":     "",
		"null":      "null",
		"object":    "{}",
		"scheduled": `{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2025-03-01T12:00:00Z","region":"ap-east-1","resources":["arn:aws:events:ap-east-1:123456789012:rule/prewarm"],"detail":{}}`,
	}
	for name, payload := range payloads {
		t.Run(name, func(t *testing.T) {
			before := f.edge.Requests()
			f.metrics.Reset()
			out, err := f.invoke(context.Background(), payload)
			if err != nil {
				t.Fatal(err)
			}
			s := decode(t, out)
			if s.Type != "warm-summary" || s.Path != "/from-env" || s.Total.OK != 10 || len(s.Waves) != 1 || len(s.POPs) != 2 || s.POPs[0].OK != 5 {
				t.Errorf("summary %+v: want the env's 2 POPs × 5 requests to /from-env", s)
			}
			if strings.Contains(string(out), `"requests":[`) || strings.Contains(f.logs.String(), "prewarm request") {
				t.Error("per-request records in the summary or the log without LOG_REQUESTS")
			}
			if got := f.edge.Requests() - before; got != 10 {
				t.Errorf("the POPs received %d requests, want 10", got)
			}
			if r := f.edge.POPs["HKG54-C1"].LastRequest(); r.Header.Get("X-Prewarm") != "env" || r.URL.Path != "/from-env" {
				t.Errorf("request %s with X-Prewarm %q", r.URL, r.Header.Get("X-Prewarm"))
			}
			lines := f.emfLines(t)
			if len(lines) != 2 {
				t.Fatalf("%d EMF lines, want 2 (one per POP)", len(lines))
			}
			if !strings.Contains(f.metrics.String(), `"Namespace":"Test/Prewarm"`) {
				t.Errorf("EMF_NAMESPACE not used: %s", f.metrics.String())
			}
		})
	}
}

// The event overrides the environment field by field.
func TestEventOverrides(t *testing.T) {
	f := newFixture(t)
	f.env["URL_PATH"] = "/from-env"
	f.env["HEADERS"] = `{"X-Prewarm": "env"}`
	f.env["WAVES"] = "" // the Lambda default: 3
	f.env["EVENT_OVERRIDES"] = "path, headers, method, distributionDomain"
	payload := `{"pops":["FRA56-P3"],"requestsPerPop":3,"path":"/from-event","headers":{"X-Prewarm":"event"},
		"method":"HEAD","waves":2,"waveInterval":"50ms","keepalive":"1s","requestTimeout":"2s","concurrency":2}`
	out, err := f.invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	s := decode(t, out)
	if s.WavesPlanned != 2 || len(s.Waves) != 2 || s.Path != "/from-event" || s.Total.OK != 6 {
		t.Errorf("summary %+v: want 2 waves of 3 requests to FRA56-P3 at /from-event", s)
	}
	if hkg, fra := f.edge.POPs["HKG54-C1"].Requests(), f.edge.POPs["FRA56-P3"].Requests(); hkg != 0 || fra != 6 {
		t.Errorf("HKG54-C1 got %d, FRA56-P3 got %d requests; want 0 and 6", hkg, fra)
	}
	r := f.edge.POPs["FRA56-P3"].LastRequest()
	if r.Method != "HEAD" || r.URL.Path != "/from-event" || r.Header.Get("X-Prewarm") != "event" {
		t.Errorf("request %s %s X-Prewarm %q", r.Method, r.URL, r.Header.Get("X-Prewarm"))
	}
	if n := len(f.emfLines(t)); n != 2 {
		t.Errorf("%d EMF lines, want one per POP per wave (2)", n)
	}
	// Overrides may come in the detail of an EventBridge event.
	before := f.edge.Requests()
	_, err = f.invoke(context.Background(), `{"detail-type":"prewarm","source":"ops","detail":{"pops":["HKG54-C1"],"requestsPerPop":1,"waves":1}}`)
	if err != nil || f.edge.POPs["HKG54-C1"].Requests() != 1 || f.edge.Requests()-before != 1 {
		t.Errorf("EventBridge detail overrides: err %v, HKG54-C1 got %d", err, f.edge.POPs["HKG54-C1"].Requests())
	}
	// The event may supply a setting the environment lacks, even a required one.
	dist := f.env["DISTRIBUTION_DOMAIN"]
	f.env["DISTRIBUTION_DOMAIN"] = ""
	before = f.edge.Requests()
	_, err = f.invoke(context.Background(), `{"distributionDomain":"`+dist+`","pops":["HKG54-C1"],"requestsPerPop":1,"waves":1}`)
	if err != nil || f.edge.Requests()-before != 1 {
		t.Errorf("distributionDomain only in the event: err %v, %d requests", err, f.edge.Requests()-before)
	}
}

// A bad configuration fails the invocation, is logged, and sends nothing.
// (lambdaenv's TestBadConfiguration checks the messages of every kind of
// problem without POPs.)
func TestBadConfigurationSendsNothing(t *testing.T) {
	f := newFixture(t, loopback.POPSpec{Code: "HKG54-C1"})
	f.env["CLIENT_SUBNETS"] = "203.0.113.0/24"
	for name, c := range map[string]struct {
		env     map[string]string
		payload string
		want    string
	}{
		"more requests": {payload: `{"requestsPerPop":6}`,
			want: `event field "requestsPerPop": 6 is more than the environment allows (REQUESTS_PER_POP 5)`},
		"one subnet twice": {payload: `{"clientSubnets":["203.0.113.0/24","203.0.113.1/24"]}`,
			want: "client subnet 203.0.113.0/24: listed twice"},
		"bad environment": {env: map[string]string{"DISTRIBUTION_DOMAIN": "", "WAVE_INTERVAL": "20"},
			want: `WAVE_INTERVAL "20": want a duration such as 20s or 1m; distribution: required`},
	} {
		t.Run(name, func(t *testing.T) {
			f.logs.Reset()
			env := maps.Clone(f.env)
			maps.Copy(f.env, c.env)
			defer func() { f.env = env }()
			out, err := f.invoke(context.Background(), c.payload)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v (response %s), want it to say %q", err, out, c.want)
			}
			if n := f.edge.Requests(); n != 0 {
				t.Errorf("%d requests sent with a bad configuration", n)
			}
			if !strings.Contains(f.logs.String(), "prewarm not run") {
				t.Errorf("the error is not logged: %s", f.logs.String())
			}
		})
	}
}

// A deadline shorter than the planned waves: the handler runs what fits,
// stops before the deadline and returns the summary of what finished.
func TestDeadlineShorterThanWaves(t *testing.T) {
	f := newFixture(t)
	f.env["WAVES"] = "3"
	f.env["WAVE_INTERVAL"] = "2s"
	f.env["KEEPALIVE"] = "10s"
	f.env["REQUEST_TIMEOUT"] = "2s"
	// 3 s to live, minus a 300 ms margin: wave 2 (at 2 s, needing until
	// 4 s) does not fit, so the handler returns right after wave 1.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := f.invoke(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the handler returned after its deadline")
	}
	s := decode(t, out)
	if len(s.Waves) != 1 || s.WavesPlanned != 3 || s.Stopped != "deadline" || s.Total.OK != 10 {
		t.Errorf("summary %+v: want wave 1 of 3 done, stopped by the deadline", s)
	}
	if n := f.edge.Requests(); n != 10 {
		t.Errorf("the POPs received %d requests, want exactly one wave (10)", n)
	}
	if n := len(f.emfLines(t)); n != 2 {
		t.Errorf("%d EMF lines, want 2 (one wave × 2 POPs)", n)
	}
	if !strings.Contains(f.logs.String(), "the function timeout is too short") {
		t.Errorf("no warning about the timeout: %s", f.logs.String())
	}
}

// The handler's stop margin fits within the margin the function timeout
// allows for it (lambdaenv.FunctionTimeout).
func TestStopMarginFitsTheTimeoutMargin(t *testing.T) {
	if maxStopMargin >= lambdaenv.TimeoutMargin {
		t.Errorf("stop margin up to %v, function timeout margin %v", maxStopMargin, lambdaenv.TimeoutMargin)
	}
}

func TestStopMargin(t *testing.T) {
	for _, c := range []struct{ left, want time.Duration }{
		{60 * time.Second, 3 * time.Second},
		{10 * time.Second, time.Second},
		{time.Second, 100 * time.Millisecond},
		{0, 0},
	} {
		if got := stopMargin(c.left); got != c.want {
			t.Errorf("stopMargin(%v) = %v, want %v", c.left, got, c.want)
		}
	}
}

// METRICS: lean by default (per POP only OriginColdRatio is a metric, the
// rest per distribution), full makes every metric per POP.
func TestMetricsLevel(t *testing.T) {
	f := newFixture(t)
	for level, want := range map[string]string{
		"":     `"Dimensions":[["Distribution"]],"Metrics":[{"Name":"Requests","Unit":"Count"}`,
		"lean": `"Dimensions":[["Distribution","POP"]],"Metrics":[{"Name":"OriginColdRatio","Unit":"None"}]`,
		"full": `"Dimensions":[["Distribution","POP"],["Distribution"]],"Metrics":[{"Name":"Requests","Unit":"Count"}`,
	} {
		f.env["METRICS"] = level
		f.metrics.Reset()
		if _, err := f.invoke(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		if lines := f.emfLines(t); len(lines) != 2 || !strings.Contains(f.metrics.String(), want) {
			t.Errorf("METRICS=%q: %d lines, want them to hold %s:\n%s", level, len(lines), want, f.metrics.String())
		}
	}
}
