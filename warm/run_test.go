package warm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
)

const (
	testDist = "d111111abcdef8.cloudfront.net"
	testHost = "api.example.test"
)

// startEdge starts stand-in POPs and stops them when the test ends.
func startEdge(t testing.TB, specs ...loopback.POPSpec) *loopback.CloudFront {
	t.Helper()
	return loopback.New(t, testHost, testDist, specs...)
}

// edgeConfig is a Config aimed at the edge's POPs.
func edgeConfig(e *loopback.CloudFront, specs []loopback.POPSpec) warm.Config {
	return warm.Config{
		Distribution: e.Distribution,
		Host:         e.Host,
		POPs:         loopback.Codes(specs),
		Port:         e.Port,
		DNSServer:    e.DNSAddr,
		RootCAs:      e.CA.Pool(),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func ipv6Loopback() bool {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// The main test: one wave against every kind of POP the engine must handle.
func TestWaveAgainstLoopbackPOPs(t *testing.T) {
	good := []string{"127.0.0.2", "127.0.0.3"}
	if ipv6Loopback() {
		good = append(good, "::1")
	}
	specs := []loopback.POPSpec{
		{Code: "HKG54-C1", Addrs: good},
		{Code: "FRA56-P3", Addrs: []string{"127.0.0.4"}},
		{Code: "NRT57-P2", NoDNS: true},
		{Code: "SIN52-C1", Addrs: []string{"127.0.0.5"}, NoListen: true},
		{Code: "LHR61-C2", Addrs: []string{"127.0.0.6"}, CertName: "wrong.example.test"},
		{Code: "IAD89-C3", Addrs: []string{"127.0.0.7"}, Delay: time.Minute},
		{Code: "CDG50-C1", Addrs: []string{"127.0.0.8"}, AnswerAs: "CDG52-P1"},
	}
	e := startEdge(t, specs...)
	cfg := edgeConfig(e, specs)
	cfg.Path = "/healthz?from=prewarm"
	cfg.RequestsPerPOP = 6
	cfg.Concurrency = 16
	cfg.Timeout = 1500 * time.Millisecond
	cfg.Header = http.Header{"X-Prewarm": {"yes"}}

	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Waves) != 1 || res.Stopped != warm.StopNone {
		t.Fatalf("waves %d stopped %q, want 1 wave", len(res.Waves), res.Stopped)
	}
	wave := res.Waves[0]
	pops := map[string]warm.POPResult{}
	for i, p := range wave.POPs {
		if p.POP != specs[i].Code {
			t.Fatalf("POP %d is %s, want %s (config order)", i, p.POP, specs[i].Code)
		}
		pops[p.POP] = p
		if p.Stats.Planned != 6 || p.Stats.Requests != 6 || p.Stats.Unfinished != 0 {
			t.Errorf("%s: planned %d requests %d unfinished %d, want 6 6 0", p.POP, p.Stats.Planned, p.Stats.Requests, p.Stats.Unfinished)
		}
	}

	// Server side: exact counts, one new connection per request, spread over the addresses.
	hkg := e.POPs["HKG54-C1"]
	if hkg.Requests() != 6 || hkg.Conns() != 6 || hkg.Handshakes() != 6 {
		t.Errorf("HKG54-C1 saw %d requests, %d connections, %d handshakes; want 6 each",
			hkg.Requests(), hkg.Conns(), hkg.Handshakes())
	}
	for _, a := range good {
		if n := hkg.RequestsTo(a); n != 6/len(good) {
			t.Errorf("HKG54-C1 address %s got %d requests, want %d", a, n, 6/len(good))
		}
	}
	if got := pops["HKG54-C1"].IPs; len(got) != len(good) {
		t.Errorf("HKG54-C1 resolved to %v, want %v", got, good)
	}
	req := hkg.LastRequest()
	if req == nil {
		t.Fatal("HKG54-C1 saw no request")
	}
	for _, c := range []struct{ what, got, want string }{
		{"Host", req.Host, testHost + ":" + strconv.Itoa(e.Port)},
		{"TLS server name", req.TLS.ServerName, testHost},
		{"method", req.Method, "GET"},
		{"path", req.URL.RequestURI(), "/healthz?from=prewarm"},
		{"Pragma", req.Header.Get("Pragma"), "server-timing"},
		{"X-Prewarm", req.Header.Get("X-Prewarm"), "yes"},
	} {
		if c.got != c.want {
			t.Errorf("request %s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if ua := req.Header.Get("User-Agent"); !strings.HasPrefix(ua, "cfprewarm/") {
		t.Errorf("User-Agent %q does not name the tool", ua)
	}

	s := pops["HKG54-C1"].Stats
	if s.OK != 6 || s.Errors != 0 || s.Origin.Warm+s.Origin.Cold != 6 || s.Latency().N != 6 {
		t.Errorf("HKG54-C1 stats %+v, want 6 OK with a known origin state", s)
	}
	if s.Origin.Cold < 1 {
		t.Errorf("HKG54-C1: the first requests to a fresh POP must find cold origin connections, got %d cold", s.Origin.Cold)
	}

	wantErrors := map[string]cloudfront.ErrorKind{
		"NRT57-P2": cloudfront.KindDNS,
		"SIN52-C1": cloudfront.KindRefused,
		"LHR61-C2": cloudfront.KindTLS,
		"IAD89-C3": cloudfront.KindTimeout,
	}
	for pop, kind := range wantErrors {
		s := pops[pop].Stats
		if s.Errors != 6 || s.ErrorsByKind[kind] != 6 || s.OK != 0 {
			t.Errorf("%s: errors %d kinds %v ok %d, want 6 of kind %s", pop, s.Errors, s.ErrorsByKind, s.OK, kind)
		}
	}
	if r := pops["NRT57-P2"].ResolveError; !strings.Contains(r, "no such host") {
		t.Errorf("NRT57-P2 resolve error %q, want no such host", r)
	}
	if n := e.POPs["LHR61-C2"]; n.Requests() != 0 || n.Handshakes() != 6 {
		t.Errorf("wrong-certificate POP: %d requests %d handshakes, want 0 and 6", n.Requests(), n.Handshakes())
	}
	if n := e.POPs["IAD89-C3"].Requests(); n != 6 {
		t.Errorf("slow POP got %d requests, want 6", n)
	}

	cdg := pops["CDG50-C1"].Stats
	if cdg.OK != 6 || cdg.Mismatched != 6 || cdg.POPs["CDG52-P1"] != 6 {
		t.Errorf("CDG50-C1: ok %d mismatched %d answered %v, want 6 answered by CDG52-P1", cdg.OK, cdg.Mismatched, cdg.POPs)
	}
	if _, known := cdg.OriginColdRatio().Value(); known {
		t.Error("CDG50-C1: answers from another POP must not count towards the target's origin-cold ratio")
	}

	tot := wave.Total
	if tot.Planned != 42 || tot.Requests != 42 || tot.OK != 18 || tot.Errors != 24 {
		t.Errorf("wave total %+v, want 42 planned and finished, 18 OK, 24 errors", tot)
	}
	if e.Requests() != 6+6+6+6 { // HKG, FRA, CDG and the slow IAD
		t.Errorf("the POPs received %d requests, want 24", e.Requests())
	}

	// The metrics of this very run, as the Lambda logs them.
	var emf bytes.Buffer
	if err := format.WriteEMF(&emf, res, format.Options{}); err != nil {
		t.Fatal(err)
	}
	recs := emfLines(t, emf.Bytes())
	if len(recs) != len(specs) {
		t.Fatalf("%d EMF lines, want one per POP (%d)", len(recs), len(specs))
	}
	for i, rec := range recs {
		if rec.root["POP"] != specs[i].Code || rec.root["Requests"] != 6.0 || rec.root["Distribution"] != testDist {
			t.Errorf("EMF line %d: %v", i, rec.root)
		}
		if _, ok := wantErrors[specs[i].Code]; ok && rec.root["Errors"] != 6.0 {
			t.Errorf("EMF line for %s: Errors = %v, want 6", specs[i].Code, rec.root["Errors"])
		}
	}
	if _, ok := recs[0].metrics["OriginColdRatio"]; !ok {
		t.Error("HKG54-C1 EMF line lacks OriginColdRatio")
	}
}

// emfRecord is one EMF line: its root object and the metric names it
// declares. The full check against the EMF specification is warm/format's.
type emfRecord struct {
	root    map[string]any
	metrics map[string]bool
}

func emfLines(t *testing.T, out []byte) []emfRecord {
	t.Helper()
	var recs []emfRecord
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var root map[string]any
		var meta struct {
			AWS struct {
				CloudWatchMetrics []struct {
					Metrics []struct{ Name string } `json:"Metrics"`
				} `json:"CloudWatchMetrics"`
			} `json:"_aws"`
		}
		if json.Unmarshal(line, &root) != nil || json.Unmarshal(line, &meta) != nil || len(meta.AWS.CloudWatchMetrics) == 0 {
			t.Fatalf("not an EMF line: %s", line)
		}
		rec := emfRecord{root: root, metrics: map[string]bool{}}
		for _, d := range meta.AWS.CloudWatchMetrics {
			for _, m := range d.Metrics {
				rec.metrics[m.Name] = true
			}
		}
		recs = append(recs, rec)
	}
	return recs
}
