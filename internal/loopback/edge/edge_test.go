package edge

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
)

func newCA(t testing.TB) *labca.CA {
	t.Helper()
	ca, err := labca.New()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

var (
	serverTimingRE = regexp.MustCompile(`^cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=\d+,` +
		`cdn-upstream-fbl;dur=\d+,cdn-cache-miss,cdn-pop;desc="TST50-C1",cdn-rid;desc="[A-Za-z0-9_-]{54}==",cdn-downstream-fbl;dur=\d+$`)
	viaRE = regexp.MustCompile(`^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$`)
)

// TestHeadersAndForwarding sends a POST with a body, a query, a custom
// header and a hop-by-hop header, over HTTP/1.1 and HTTP/2, and checks what
// the origin received and every CloudFront header of the response.
func TestHeadersAndForwarding(t *testing.T) {
	t.Parallel()
	l := newLab(t, newCA(t), Config{})
	for _, h2 := range []bool{false, true} {
		v := l.viewer(t, true, h2, nil)
		req, _ := http.NewRequest("POST", "https://"+testDist+"/api/time?a=1&b=two", strings.NewReader("payload"))
		req.Header.Set("Pragma", "no-cache, Server-Timing")
		req.Header.Set("X-Custom", "kept")
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		if !h2 {
			req.Header.Set("Connection", "X-Hop")
			req.Header.Set("X-Hop", "dropped")
		}
		resp, body := v.do(t, req)
		if resp.StatusCode != 200 {
			t.Fatalf("h2=%v: status %d: %s", h2, resp.StatusCode, body)
		}
		if want := map[bool]int{false: 1, true: 2}[h2]; resp.ProtoMajor != want {
			t.Errorf("viewer protocol %s, want HTTP/%d", resp.Proto, want)
		}
		var e echo
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		id := resp.Header.Get("X-Amz-Cf-Id")
		checks := []struct{ what, got, want string }{
			{"origin method", e.Method, "POST"},
			{"origin path", e.Path, "/api/time"},
			{"origin query", e.Query, "a=1&b=two"},
			{"origin Host", e.Host, originName},
			{"origin body", e.Body, "payload"},
			{"origin X-Custom", e.Header.Get("X-Custom"), "kept"},
			{"origin X-Hop", e.Header.Get("X-Hop"), ""},
			{"origin X-Forwarded-For", e.Header.Get("X-Forwarded-For"), "203.0.113.7, 127.0.0.1"},
			{"origin X-Amz-Cf-Id", e.Header.Get("X-Amz-Cf-Id"), id},
			{"origin Via", e.Header.Get("Via"), resp.Header.Get("Via")},
			{"x-amz-cf-pop", resp.Header.Get("X-Amz-Cf-Pop"), testPOP},
			{"x-cache", resp.Header.Get("X-Cache"), "Miss from cloudfront"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("h2=%v: %s = %q, want %q", h2, c.what, c.got, c.want)
			}
		}
		if raw, err := base64.URLEncoding.DecodeString(id); len(id) != 56 || err != nil || len(raw) != 40 {
			t.Errorf("x-amz-cf-id %q: want 56 characters of URL-safe base64 (40 bytes)", id)
		}
		if via := resp.Header.Get("Via"); !viaRE.MatchString(via) {
			t.Errorf("via %q does not look like CloudFront's", via)
		}
		st := resp.Header.Get("Server-Timing")
		if !serverTimingRE.MatchString(st) {
			t.Fatalf("Server-Timing %q is not in CloudFront's format", st)
		}
		ms := cloudfront.ParseServerTiming(st)
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = m.Name
		}
		wantNames := []string{"cdn-upstream-layer", "cdn-upstream-dns", "cdn-upstream-connect", "cdn-upstream-fbl",
			"cdn-cache-miss", "cdn-pop", "cdn-rid", "cdn-downstream-fbl"}
		if !slices.Equal(names, wantNames) {
			t.Errorf("metrics %v, want %v", names, wantNames)
		}
		if rid := ms[6].Desc; rid != id {
			t.Errorf("cdn-rid %q, want the x-amz-cf-id %q", rid, id)
		}
		// Each viewer gets a fresh connection; the first request of the
		// POP's only host is cold, the second (h2) reuses its connection.
		connect, fbl, down := timing(t, resp, "cdn-upstream-connect"), timing(t, resp, "cdn-upstream-fbl"), timing(t, resp, "cdn-downstream-fbl")
		if (connect > 0) != !h2 {
			t.Errorf("h2=%v: cdn-upstream-connect %d, want >0 only on the first request", h2, connect)
		}
		if down < connect+fbl-1 {
			t.Errorf("cdn-downstream-fbl %d < connect %d + fbl %d", down, connect, fbl)
		}
	}
}

// TestServerTimingOnlyWhenAsked: without Pragma and at sampling rate 0 there
// is no Server-Timing; at rate 100 there always is.
func TestServerTimingOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	for _, tt := range []struct {
		rate   float64
		pragma string
		want   bool
	}{
		{0, "", false},
		{0, "no-cache", false},
		{0, "server-timing", true},
		{100, "", true},
	} {
		l := newLab(t, ca, Config{ServerTimingSampleRate: tt.rate})
		req, _ := http.NewRequest("GET", "https://"+testDist+"/", nil)
		if tt.pragma != "" {
			req.Header.Set("Pragma", tt.pragma)
		}
		resp, _ := l.viewer(t, true, false, nil).do(t, req)
		if got := resp.Header.Get("Server-Timing") != ""; got != tt.want {
			t.Errorf("rate %v, pragma %q: Server-Timing present=%v, want %v", tt.rate, tt.pragma, got, tt.want)
		}
		if resp.Header.Get("X-Amz-Cf-Pop") != testPOP {
			t.Errorf("rate %v: x-amz-cf-pop missing", tt.rate)
		}
	}
}

func TestSamplingRate(t *testing.T) {
	ca := newCA(t)
	cert := issue(t, ca, "*.cloudfront.net")
	p, err := New(Config{POP: testPOP, OriginAddr: "127.0.0.1:1", OriginHost: originName, Cert: cert, ServerTimingSampleRate: 25})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range 10000 {
		if p.sampled() {
			n++
		}
	}
	if n < 2300 || n > 2700 {
		t.Errorf("sampled %d of 10000 at 25%%, want about 2500", n)
	}
}

// TestReuseWithinKeepAlive: with one host, requests on new viewer
// connections within the keep-alive share one origin connection.
func TestReuseWithinKeepAlive(t *testing.T) {
	t.Parallel()
	l := newLab(t, newCA(t), Config{Hosts: 1, KeepAlive: 5 * time.Second})
	v := l.viewer(t, true, false, nil)
	for i := range 3 {
		resp, _ := v.get(t, "/")
		connect := timing(t, resp, "cdn-upstream-connect")
		if cold := i == 0; (connect > 0) != cold {
			t.Errorf("request %d: cdn-upstream-connect %d, want cold=%v", i, connect, cold)
		}
	}
	s := l.pop.Stats()
	if s.ViewerConns != 3 || s.Requests != 3 || s.OriginConnsOpened != 1 || s.OriginReused != 2 || s.OriginConnsOpen != 1 {
		t.Errorf("stats %+v, want 3 viewer conns, 3 requests, 1 origin conn opened and open, 2 reused", s.Counters)
	}
	if n := l.origin.connCount(); n != 1 {
		t.Errorf("origin saw %d connections, want 1", n)
	}
}

// TestKeepAliveExpiry: after the keep-alive the host has closed its origin
// connection and the next request is cold again.
func TestKeepAliveExpiry(t *testing.T) {
	t.Parallel()
	keepAlive := 150 * time.Millisecond
	l := newLab(t, newCA(t), Config{Hosts: 1, KeepAlive: keepAlive})
	v := l.viewer(t, true, false, nil)
	for i := range 2 {
		resp, _ := v.get(t, "/")
		if connect := timing(t, resp, "cdn-upstream-connect"); connect == 0 {
			t.Errorf("request %d after the keep-alive: cdn-upstream-connect 0, want cold", i)
		}
		time.Sleep(3 * keepAlive)
	}
	s := l.pop.Stats()
	if s.OriginConnsOpened != 2 || s.OriginReused != 0 {
		t.Errorf("stats %+v, want 2 origin connections opened, none reused", s.Counters)
	}
	if s.OriginConnsOpen != 0 {
		t.Errorf("%d origin connections open after the keep-alive, want 0", s.OriginConnsOpen)
	}
}

// TestPerHostPools: with 4 hosts, a viewer connection landing on a host that
// has not served yet is cold even when another host holds a warm
// connection; every later request on a host is warm.
func TestPerHostPools(t *testing.T) {
	t.Parallel()
	const hosts, requests = 4, 24
	l := newLab(t, newCA(t), Config{Hosts: hosts, Seed: 7})
	v := l.viewer(t, true, false, nil)
	seen := map[string]int{} // via → requests
	for i := range requests {
		resp, _ := v.get(t, "/")
		via := resp.Header.Get("Via")
		connect := timing(t, resp, "cdn-upstream-connect")
		if first := seen[via] == 0; (connect > 0) != first {
			t.Errorf("request %d on %s (request %d there): cdn-upstream-connect %d, want cold=%v", i, via, seen[via]+1, connect, first)
		}
		seen[via]++
	}
	if len(seen) < 2 {
		t.Fatalf("%d requests on new connections all landed on one host", requests)
	}
	s := l.pop.Stats()
	if len(s.Hosts) != hosts {
		t.Fatalf("%d hosts in stats, want %d", len(s.Hosts), hosts)
	}
	for _, h := range s.Hosts {
		want := int64(min(1, seen["1.1 "+h.ID+".cloudfront.net (CloudFront)"]))
		if h.OriginConnsOpened != want || h.ViewerConns != h.Requests {
			t.Errorf("host %s: %+v, want %d origin connection(s) and one request per viewer connection", h.ID, h.Counters, want)
		}
	}
	if s.OriginConnsOpened != int64(len(seen)) || s.Requests != requests || s.OriginReused != requests-int64(len(seen)) {
		t.Errorf("POP stats %+v, want %d opened, %d requests, %d reused", s.Counters, len(seen), requests, requests-len(seen))
	}
}

// TestHostAssignment: hosts are drawn uniformly, the same seed draws the same
// sequence and another seed another one.
func TestHostAssignment(t *testing.T) {
	cert := issue(t, newCA(t), "*.cloudfront.net")
	newPOP := func(seed uint64) *POP {
		p, err := New(Config{POP: testPOP, Hosts: 4, Seed: seed, OriginAddr: "127.0.0.1:1", OriginHost: originName, Cert: cert})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := newPOP(1)
	counts := make([]int, 4)
	for range 40000 {
		counts[p.pick()]++
	}
	for i, c := range counts {
		if c < 9500 || c > 10500 {
			t.Errorf("host %d drawn %d of 40000 times, want about 10000", i, c)
		}
	}
	seq := func(p *POP) []int {
		var s []int
		for range 64 {
			s = append(s, p.pick())
		}
		return s
	}
	a, b, c := seq(newPOP(42)), seq(newPOP(42)), seq(newPOP(43))
	if !slices.Equal(a, b) {
		t.Error("same seed, different host sequences")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same host sequence")
	}
	if newPOP(42).Stats().Hosts[0].ID != newPOP(42).Stats().Hosts[0].ID {
		t.Error("same seed, different host ids")
	}
}

// TestHTTP2ConnectionStaysOnItsHost: every request of one viewer
// connection is served by the host the connection was assigned to.
func TestHTTP2ConnectionStaysOnItsHost(t *testing.T) {
	t.Parallel()
	// Through a viewer link too: the HTTP/2 server's deadlines and
	// concurrent reads and writes go through the link's queues.
	viewerLink := link.Link{RTT: 10 * time.Millisecond}
	l := newLab(t, newCA(t), Config{Hosts: 8, Seed: 3, ViewerLink: viewerLink})
	v := l.viewer(t, false, true, viewerLink.ConnectDial)
	var vias []string
	for range 5 {
		resp, _ := v.get(t, "/")
		vias = append(vias, resp.Header.Get("Via"))
	}
	if len(slices.Compact(slices.Clone(vias))) != 1 {
		t.Errorf("one HTTP/2 connection served by several hosts: %v", vias)
	}
	if s := l.pop.Stats(); s.ViewerConns != 1 || s.OriginConnsOpened != 1 {
		t.Errorf("stats %+v, want 1 viewer connection and 1 origin connection", s.Counters)
	}
}

// TestOriginCertificateVerified: an origin whose certificate is for another
// name, or from another CA, gets a 502 from the edge.
func TestOriginCertificateVerified(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	for _, tt := range []struct {
		name   string
		origin *testOrigin
	}{
		{"wrong name", newOrigin(t, ca, 0, "other.lab.test")},
		{"other CA", newOrigin(t, newCA(t), 0, originName)},
	} {
		l := newLab(t, ca, Config{OriginAddr: tt.origin.addr})
		resp, body := l.viewer(t, true, false, nil).get(t, "/")
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("%s: status %d, want 502", tt.name, resp.StatusCode)
		}
		if resp.Header.Get("X-Cache") != "Error from cloudfront" || resp.Header.Get("X-Amz-Cf-Pop") != testPOP ||
			!strings.Contains(string(body), resp.Header.Get("X-Amz-Cf-Id")) {
			t.Errorf("%s: 502 without CloudFront's headers and error page: %v", tt.name, resp.Header)
		}
		if n := tt.origin.connCount(); n != 0 {
			t.Errorf("%s: origin served %d connections", tt.name, n)
		}
		if s := l.pop.Stats(); s.Errors != 1 || s.OriginConnsOpen != 0 {
			t.Errorf("%s: stats %+v, want 1 error and no open origin connection", tt.name, s.Counters)
		}
	}
}

// TestOriginClosesFirst: the origin's idle timeout is shorter than the edge
// keep-alive (the misordering trap). A GET sent on a pooled connection the
// origin has already closed, before the edge saw the close, is retried on a
// new connection and shows the connect cost; a POST is not retried (502).
// Once the edge has seen the close, the next request simply opens a new
// connection.
func TestOriginClosesFirst(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	const idle, rtt = 500 * time.Millisecond, 400 * time.Millisecond
	// The origin closes idle after its response; the edge sees the close
	// RTT/2 later, that is idle after the response reached it. A request
	// the edge sends between idle − RTT and idle after the response lands
	// on the closed connection: aim at the middle, which leaves RTT/2 of
	// margin for a slow machine on either side.
	inWindow := idle - rtt/2
	afterClose := idle + rtt
	for _, tt := range []struct {
		name    string
		method  string
		wait    time.Duration
		status  int
		retries int64
	}{
		{"GET in the window is retried", "GET", inWindow, 200, 1},
		{"HEAD in the window is retried", "HEAD", inWindow, 200, 1},
		{"POST in the window fails", "POST", inWindow, 502, 0},
		{"GET after the close is cold", "GET", afterClose, 200, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			origin := newOrigin(t, ca, idle, originName)
			l := newLab(t, ca, Config{Hosts: 1, KeepAlive: 5 * time.Second, OriginAddr: origin.addr, OriginLink: link.Link{RTT: rtt}})
			v := l.viewer(t, true, false, nil)
			v.get(t, "/first")
			time.Sleep(tt.wait)
			req, _ := http.NewRequest(tt.method, "https://"+testDist+"/second", nil)
			if tt.method == "POST" {
				req, _ = http.NewRequest("POST", "https://"+testDist+"/second", strings.NewReader("form=1"))
			}
			req.Header.Set("Pragma", "server-timing")
			resp, _ := v.do(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			s := l.pop.Stats()
			if s.Retries != tt.retries {
				t.Errorf("retries %d, want %d (stats %+v)", s.Retries, tt.retries, s.Counters)
			}
			if tt.status != 200 {
				return
			}
			if connect := timing(t, resp, "cdn-upstream-connect"); connect < int(2*rtt.Milliseconds())*9/10 {
				t.Errorf("cdn-upstream-connect %d ms, want a new connection: ≥ 2 RTT (%v)", connect, 2*rtt)
			}
			if s.OriginConnsOpened != 2 {
				t.Errorf("%d origin connections opened, want 2", s.OriginConnsOpened)
			}
		})
	}
}

// TestLatencyComposition puts a viewer link and an origin link around the
// POP and checks the round trips add up as on a real network: a cold
// request pays connect and TLS to the origin (2 origin RTTs) on top of a
// warm one, and Server-Timing reports them.
func TestLatencyComposition(t *testing.T) {
	t.Parallel()
	viewerLink, originLink := link.Link{RTT: 20 * time.Millisecond}, link.Link{RTT: 100 * time.Millisecond}
	l := newLab(t, newCA(t), Config{Hosts: 1, ViewerLink: viewerLink, OriginLink: originLink})
	v := l.viewer(t, true, false, viewerLink.ConnectDial)
	var totals []time.Duration
	for i := range 2 {
		start := time.Now()
		resp, _ := v.get(t, "/")
		totals = append(totals, time.Since(start))
		connect, fbl := timing(t, resp, "cdn-upstream-connect"), timing(t, resp, "cdn-upstream-fbl")
		wantConnect := 0
		if i == 0 {
			wantConnect = 2 * int(originLink.RTT.Milliseconds()) // TCP + TLS 1.3
		}
		// The upper bound leaves room for a loaded machine, not for
		// latency added on both sides (4 RTTs or more).
		if connect < wantConnect*9/10 || connect >= wantConnect*2 && i == 0 {
			t.Errorf("request %d: cdn-upstream-connect %d ms, want about %d", i, connect, wantConnect)
		}
		if fbl < int(originLink.RTT.Milliseconds())*9/10 {
			t.Errorf("request %d: cdn-upstream-fbl %d ms, want ≥ 1 origin RTT", i, fbl)
		}
	}
	// Viewer: connect + TLS + request = 3 RTT; origin: 1 RTT warm, 3 cold.
	// Only lower bounds: a loaded machine adds time, never removes it.
	warm := 3*viewerLink.RTT + originLink.RTT
	if totals[1] < warm*9/10 {
		t.Errorf("warm total %v, want ≥ %v", totals[1], warm)
	}
	if cold := warm + 2*originLink.RTT; totals[0] < cold*9/10 {
		t.Errorf("cold total %v, want ≥ %v", totals[0], cold)
	}
}

func TestConfigValidate(t *testing.T) {
	ca := newCA(t)
	cert := issue(t, ca, "*.cloudfront.net")
	good := Config{POP: "HKG62-C1", OriginAddr: "127.0.0.1:8443", OriginHost: "origin.example.com", Cert: cert}
	if err := good.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	tests := []struct {
		field  string
		modify func(*Config)
	}{
		{"POP", func(c *Config) { c.POP = "" }},
		{"POP", func(c *Config) { c.POP = `HKG"62` }},
		{"POP", func(c *Config) { c.POP = "hkg62-c1" }},
		{"Faults.AnswerAs", func(c *Config) { c.Faults.AnswerAs = "elsewhere" }},
		{"Faults.Delay", func(c *Config) { c.Faults.Delay = -time.Second }},
		{"Faults.Status", func(c *Config) { c.Faults.Status = 200 }},
		{"Hosts", func(c *Config) { c.Hosts = -1 }},
		{"Hosts", func(c *Config) { c.Hosts = MaxHosts + 1 }},
		{"KeepAlive", func(c *Config) { c.KeepAlive = -time.Second }},
		{"OriginReadTimeout", func(c *Config) { c.OriginReadTimeout = -time.Second }},
		{"ConnectTimeout", func(c *Config) { c.ConnectTimeout = -time.Second }},
		{"OriginAddr", func(c *Config) { c.OriginAddr = "127.0.0.1" }},
		{"OriginHost", func(c *Config) { c.OriginHost = "" }},
		{"OriginHost", func(c *Config) { c.OriginHost = "https://origin.example.com/" }},
		{"Cert", func(c *Config) { c.Cert.Certificate = nil }},
		{"ServerTimingSampleRate", func(c *Config) { c.ServerTimingSampleRate = 101 }},
		{"OriginLink", func(c *Config) { c.OriginLink = link.Link{RTT: -1} }},
		{"ViewerLink", func(c *Config) { c.ViewerLink = link.Link{RTT: 1, Jitter: 2} }},
	}
	for _, tt := range tests {
		c := good
		tt.modify(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: Validate() = %v, want an error naming %s", tt.field, err, tt.field)
		}
		if _, err := New(c); err == nil {
			t.Errorf("%s: New accepted an invalid config", tt.field)
		}
	}
	// All problems at once, one error each.
	bad := Config{}
	var ce *config.Error
	if err := bad.Validate(); !errors.As(err, &ce) || len(ce.Problems) < 4 {
		t.Errorf("empty config: %v, want one error per problem", err)
	}
}

// The Server-Timing header, byte for byte as CloudFront writes it.
func TestServerTimingFormat(t *testing.T) {
	u := &upstreamResult{attempts: 1, connect: 191400 * time.Microsecond, firstByte: 3 * time.Millisecond, gotByte: true}
	for _, tt := range []struct {
		u    *upstreamResult
		want string
	}{
		{u, `cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=191,cdn-upstream-fbl;dur=3,` +
			`cdn-cache-miss,cdn-pop;desc="HKG62-C1",cdn-rid;desc="id==",cdn-downstream-fbl;dur=196`},
		{&upstreamResult{attempts: 1, reused: true}, // no first byte: the origin failed
			`cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0,cdn-upstream-connect;dur=0,` +
				`cdn-cache-miss,cdn-pop;desc="HKG62-C1",cdn-rid;desc="id==",cdn-downstream-fbl;dur=196`},
		{nil, `cdn-pop;desc="HKG62-C1",cdn-rid;desc="id==",cdn-downstream-fbl;dur=196`}, // origin not contacted
	} {
		if got := serverTiming("HKG62-C1", "EDGE", "id==", tt.u, 195600*time.Microsecond); got != tt.want {
			t.Errorf("serverTiming\n got %s\nwant %s", got, tt.want)
		}
	}
}
