package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
)

const (
	warmDist = "d111111abcdef8.cloudfront.net"
	warmHost = "api.example.test"
)

// warmEdge starts stand-in POPs and returns them with the flags that aim
// cfprewarm warm at them.
func warmEdge(t *testing.T, specs ...loopback.POPSpec) (*loopback.CloudFront, []string) {
	t.Helper()
	e := loopback.New(t, warmHost, warmDist, specs...)
	return e, []string{"warm", warmDist, "--host", warmHost, "--pops", strings.Join(loopback.Codes(specs), ","),
		"--port", strconv.Itoa(e.Port), "--dns-server", e.DNSAddr, "--cacert", e.CAFile}
}

func TestWarmUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"warm"},
		{"warm", "--pops", "HKG54-C1"},
		{"warm", "d1.cloudfront.net"},
		{"warm", "d1.cloudfront.net", "--pops", "hongkong"},
		{"warm", "api.example.com", "--pops", "HKG54-C1"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--waves", "3", "--wave-interval", "60s", "--keepalive", "60s"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--requests", "0"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--timeout", "0s"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--requests", "-1"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--every", "-1s"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--format", "xml"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "-4", "-6"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "-H", "no colon"},
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--cacert", "/nonexistent.pem"},
	} {
		// Should a case slip through to a run, its lookups stay on loopback.
		code, out, errOut := runCLI(append(args, "--dns-server", "127.0.0.1:9")...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut)
		}
		if out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%v: want one line on stderr only, got stdout %q stderr %q", args, out, errOut)
		}
	}
}

func TestWarmHelp(t *testing.T) {
	code, out, _ := runCLI("warm", "--help")
	if code != 0 || !strings.Contains(out, "Usage: cfprewarm warm") || !strings.Contains(out, "-every") {
		t.Errorf("exit %d, help:\n%s", code, out)
	}
}

// One run in each format against a healthy POP and one whose name does
// not resolve: the report says which, and the exit status is 1.
func TestWarmOnce(t *testing.T) {
	e, flags := warmEdge(t, loopback.POPSpec{Code: "HKG54-C1"}, loopback.POPSpec{Code: "NRT57-P2", NoDNS: true})
	flags = append(flags, "--requests", "4")

	code, out, errOut := runCLI(flags...)
	if code != 1 || !strings.Contains(errOut, "4 of 8 requests failed") {
		t.Errorf("exit %d stderr %q: want 1 and the failure count", code, errOut)
	}
	for _, want := range []string{"wave 1/1", "8 requests: 4 ok, 4 errors", "HKG54-C1  1      4  4     4",
		"NRT57-P2  0      4  4     0", "dns 4", "NRT57-P2: lookup d111111abcdef8.NRT57-P2.cloudfront.net on " + e.DNSAddr + ": no such host"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if n := e.POPs["HKG54-C1"].Requests(); n != 4 {
		t.Errorf("HKG54-C1 received %d requests, want 4", n)
	}

	code, out, _ = runCLI(append(flags, "--format", "json", "--with-requests")...)
	var doc struct {
		Type  string `json:"type"`
		Total struct {
			OK     int `json:"ok"`
			Errors int `json:"errors"`
		} `json:"total"`
		Waves []struct {
			POPs []struct {
				Requests []json.RawMessage `json:"requests"`
			} `json:"pops"`
		} `json:"waves"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 {
		t.Fatalf("exit %d, JSON %v:\n%s", code, err, out)
	}
	if doc.Type != "warm" || doc.Total.OK != 4 || doc.Total.Errors != 4 || len(doc.Waves[0].POPs[0].Requests) != 4 {
		t.Errorf("JSON report %+v", doc)
	}

	_, out, _ = runCLI(append(flags, "--format", "emf", "--namespace", "Test/Warm")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"Namespace":"Test/Warm"`) || !strings.Contains(lines[0], `"POP":"HKG54-C1"`) {
		t.Errorf("EMF output:\n%s", out)
	}
	// Lean by default: per POP only OriginColdRatio; --emf-metrics full
	// makes every metric per POP.
	if !strings.Contains(lines[0], `"Dimensions":[["Distribution"]],"Metrics":[{"Name":"Requests"`) ||
		!strings.Contains(lines[0], `"Dimensions":[["Distribution","POP"]],"Metrics":[{"Name":"OriginColdRatio","Unit":"None"}]`) {
		t.Errorf("default EMF metrics are not lean:\n%s", lines[0])
	}
	_, out, _ = runCLI(append(flags, "--format", "emf", "--emf-metrics", "full")...)
	if !strings.Contains(out, `"Dimensions":[["Distribution","POP"],["Distribution"]],"Metrics":[{"Name":"Requests"`) {
		t.Errorf("--emf-metrics full:\n%s", out)
	}
	if code, _, errOut := runCLI(append(flags, "--emf-metrics", "all")...); code != 2 || !strings.Contains(errOut, `--emf-metrics "all": want lean or full`) {
		t.Errorf("--emf-metrics all: exit %d, %q", code, errOut)
	}
}

// --every repeats until the signal (here: canceling the context), which lets
// the wave in progress finish and exits 0.
func TestWarmEveryFinishesWaveOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen atomic.Int64
	spec := loopback.POPSpec{Code: "HKG54-C1", Delay: 30 * time.Millisecond, OnRequest: func() {
		if seen.Add(1) == 4 { // the first request of the second run
			cancel()
		}
	}}
	e, flags := warmEdge(t, spec)
	flags = append(flags, "--requests", "3", "--concurrency", "1", "--every", "1s", "--format", "json")
	var out, errb bytes.Buffer
	code := run(ctx, flags, &out, &errb)
	if code != 0 {
		t.Errorf("exit %d, stderr %q: a daemon stopped by a signal exits 0", code, errb.String())
	}
	if n := e.Requests(); n != 6 {
		t.Errorf("the POP received %d requests, want 6: two full runs, no third", n)
	}
	var runs int
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Total struct{ OK, Unfinished int } `json:"total"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Total.OK != 3 || r.Total.Unfinished != 0 {
			t.Errorf("run %d: %+v, want 3 OK and nothing unfinished", runs+1, r.Total)
		}
		runs++
	}
	if runs != 2 {
		t.Errorf("%d reports, want 2", runs)
	}
	if !strings.Contains(errb.String(), "stopping after the wave in progress") {
		t.Errorf("stderr %q", errb.String())
	}
}

// --every is checked against the keep-alive with the schedule model: a
// steady clock leaves --every between single waves, and several waves per
// run leave the longer of their interval and the rest of the period.
func TestEveryGapWarning(t *testing.T) {
	for _, c := range []struct {
		every time.Duration
		cfg   warm.Config
		warns bool
	}{
		{0, warm.Config{}, false},
		{58 * time.Second, warm.Config{}, false},
		{59 * time.Second, warm.Config{}, true},
		{90 * time.Second, warm.Config{KeepAlive: 120 * time.Second}, false},
		{120 * time.Second, warm.Config{Waves: 2, WaveInterval: 50 * time.Second}, true}, // 70 s from the second wave to the next run
		{100 * time.Second, warm.Config{Waves: 2, WaveInterval: 50 * time.Second}, false},
	} {
		msg := everyGapWarning(c.every, c.cfg)
		if (msg != "") != c.warns {
			t.Errorf("--every %v, %d waves %v apart, keep-alive %v: %q", c.every, c.cfg.Waves, c.cfg.WaveInterval, c.cfg.KeepAlive, msg)
		}
	}
	if msg := everyGapWarning(90*time.Second, warm.Config{}); !strings.Contains(msg, "--every 1m30s leaves up to 1m30s between waves, more than --keepalive 1m0s less 2s") {
		t.Errorf("warning %q", msg)
	}
}
