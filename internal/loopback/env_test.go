package loopback

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/origin"
)

const (
	testDist = "d111111abcdef8.cloudfront.net"
	testHost = "api.example.test"
)

// resolver asks the CloudFront's DNS server only.
func resolver(cf *CloudFront) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, cf.DNSAddr)
	}}
}

// get sends GET https://<testHost>:<port><path> to the POP named code, as
// the prewarmer does: its name resolved by the DNS server, a new
// connection, the CA as the only root.
func get(t *testing.T, cf *CloudFront, code, path string) (*http.Response, string, error) {
	t.Helper()
	name, err := cloudfront.POPHostname(cf.Distribution, code)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			ips, err := resolver(cf).LookupNetIP(ctx, "ip", name)
			if err != nil {
				return nil, err
			}
			return (&net.Dialer{}).DialContext(ctx, network, netip.AddrPortFrom(ips[0], uint16(cf.Port)).String())
		},
		TLSClientConfig:   &tls.Config{RootCAs: cf.CA.Pool()},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "https://"+net.JoinHostPort(testHost, strconv.Itoa(cf.Port))+path, nil)
	req.Header.Set("Pragma", "server-timing")
	resp, err := (&http.Client{Transport: tr, Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

func originConn(resp *http.Response) cloudfront.OriginConn {
	o, _ := cloudfront.OriginFromMetrics(cloudfront.ParseServerTiming(resp.Header.Get("Server-Timing")))
	return o
}

// Every kind of POP, as a client meets it, and the counters the tests of
// the prewarmer read.
func TestPOPsAsClientsMeetThem(t *testing.T) {
	t.Parallel()
	var hooked atomic.Int64
	specs := []POPSpec{
		{Code: "HKG54-C1", Addrs: []string{"127.0.0.2", "127.0.0.3"}, OnRequest: func() { hooked.Add(1) }},
		{Code: "FRA56-P3"}, // gets 127.0.0.4
		{Code: "NRT57-P2", NoDNS: true},
		{Code: "SIN52-C1", NoListen: true},
		{Code: "LHR61-C2", CertName: "wrong.example.test"},
		{Code: "CDG50-C1", AnswerAs: "CDG52-P1"},
		{Code: "IAD89-C3", Status: http.StatusBadGateway},
		{Code: "GRU50-C1", Delay: 300 * time.Millisecond},
	}
	cf := New(t, testHost, testDist, specs...)
	if got := Codes(specs); strings.Join(got, ",") != "HKG54-C1,FRA56-P3,NRT57-P2,SIN52-C1,LHR61-C2,CDG50-C1,IAD89-C3,GRU50-C1" {
		t.Errorf("Codes = %v", got)
	}
	if pem, err := os.ReadFile(cf.CAFile); err != nil || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Errorf("CA file %s: %v", cf.CAFile, err)
	}
	if a := cf.POPs["FRA56-P3"].Addrs; len(a) != 1 || a[0] != netip.MustParseAddr("127.0.0.4") {
		t.Errorf("FRA56-P3 addresses %v, want the next free one, 127.0.0.4", a)
	}

	// A healthy POP: the origin's answer through the edge, cold then warm.
	for i, want := range []cloudfront.OriginConn{cloudfront.OriginCold, cloudfront.OriginWarm, cloudfront.OriginWarm} {
		resp, body, err := get(t, cf, "HKG54-C1", "/")
		if err != nil {
			t.Fatal(err)
		}
		h := cloudfront.ReadHeaders(resp.Header)
		if resp.StatusCode != 200 || !strings.HasPrefix(body, origin.BodyPrefix) || h.POP != "HKG54-C1" || h.Cache != cloudfront.CacheMiss || h.EdgeHost() == "" {
			t.Errorf("request %d: %d %q %+v", i, resp.StatusCode, body, h)
		}
		if got := originConn(resp); got != want {
			t.Errorf("request %d: origin %v, want %v", i, got, want)
		}
	}
	hkg := cf.POPs["HKG54-C1"]
	if hkg.Requests() != 3 || hkg.Conns() != 3 || hkg.Handshakes() != 3 || hooked.Load() != 3 {
		t.Errorf("HKG54-C1: %d requests %d conns %d handshakes %d hooked, want 3 each", hkg.Requests(), hkg.Conns(), hkg.Handshakes(), hooked.Load())
	}
	if n := hkg.RequestsTo("127.0.0.2") + hkg.RequestsTo("127.0.0.3"); n != 3 {
		t.Errorf("HKG54-C1 requests by address %v, want 3 on its two", hkg.Edge.Stats().RequestsByAddr)
	}
	if r := hkg.LastRequest(); r == nil || r.Method != "GET" || r.TLS.ServerName != testHost || r.Host != testHost+":"+strconv.Itoa(cf.Port) || r.Header.Get("Pragma") != "server-timing" {
		t.Errorf("last request %+v", r)
	}

	if _, _, err := get(t, cf, "NRT57-P2", "/"); !isNotFound(err) {
		t.Errorf("NoDNS: %v, want no such host", err)
	}
	if _, _, err := get(t, cf, "SIN52-C1", "/"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("NoListen: %v, want connection refused", err)
	}
	var verr *tls.CertificateVerificationError
	if _, _, err := get(t, cf, "LHR61-C2", "/"); !errors.As(err, &verr) {
		t.Errorf("CertName: %v, want a certificate verification error", err)
	}
	if p := cf.POPs["LHR61-C2"]; p.Handshakes() != 1 || p.Requests() != 0 {
		t.Errorf("LHR61-C2: %d handshakes %d requests, want 1 and 0", p.Handshakes(), p.Requests())
	}
	if resp, _, err := get(t, cf, "CDG50-C1", "/"); err != nil || resp.Header.Get("X-Amz-Cf-Pop") != "CDG52-P1" {
		t.Errorf("AnswerAs: %v %v", err, resp)
	}
	if resp, _, err := get(t, cf, "IAD89-C3", "/"); err != nil || resp.StatusCode != 502 || resp.Header.Get("X-Cache") != cloudfront.CacheError {
		t.Errorf("Status: %v %v", err, resp)
	}
	start := time.Now()
	if resp, _, err := get(t, cf, "GRU50-C1", "/healthz"); err != nil || resp.StatusCode != 200 || time.Since(start) < 300*time.Millisecond {
		t.Errorf("Delay: %v %v after %v", err, resp, time.Since(start))
	}
	if n, m := cf.Requests(), cf.MaxInFlight(); n != 3+1+1+1 || m != 1 {
		t.Errorf("%d requests, at most %d in flight; want 6 one at a time", n, m)
	}
	if st := cf.Origin.Stats(); st.ConnectionsAccepted != 3 { // HKG, CDG and GRU; IAD answered by itself
		t.Errorf("origin accepted %d connections, want 3", st.ConnectionsAccepted)
	}
}

func isNotFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// Aliases resolve to their POP; nothing else but POP names does.
func TestDNSAndClose(t *testing.T) {
	t.Parallel()
	cf, err := Start(context.Background(), Config{
		Distribution: testDist, Host: "api.example.com", Port: 0,
		POPs:    []POPSpec{{Code: "HKG62-C1"}, {Code: "NRT57-P2"}},
		Aliases: map[string]string{testDist: "HKG62-C1", "api.example.com": "HKG62-C1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := resolver(cf)
	hkg := cf.POPs["HKG62-C1"].Addrs[0]
	for name, want := range map[string]netip.Addr{
		testDist: hkg, "api.example.com": hkg, "d111111abcdef8.hkg62-c1.cloudfront.net": hkg,
		"d111111abcdef8.NRT57-P2.cloudfront.net": cf.POPs["NRT57-P2"].Addrs[0],
	} {
		got, err := res.LookupNetIP(context.Background(), "ip4", name)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("%s → %v %v, want %v", name, got, err, want)
		}
	}
	if _, err := res.LookupNetIP(context.Background(), "ip4", "d111111abcdef8.XXX99-Z9.cloudfront.net"); !isNotFound(err) {
		t.Errorf("an unknown POP name: %v, want NXDOMAIN", err)
	}
	if err := cf.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := os.Stat(cf.CAFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CA file left after Close: %v", err)
	}
}

// A spec's OriginKeepAlive is its POP's keep-alive.
func TestOriginKeepAlivePerPOP(t *testing.T) {
	t.Parallel()
	const short = 200 * time.Millisecond
	cf := New(t, testHost, testDist, POPSpec{Code: "HKG54-C1", OriginKeepAlive: short}, POPSpec{Code: "FRA56-P3", OriginKeepAlive: time.Minute})
	var got []cloudfront.OriginConn
	for round := range 2 {
		for _, code := range []string{"HKG54-C1", "FRA56-P3"} {
			resp, _, err := get(t, cf, code, "/")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, originConn(resp))
		}
		if round == 0 {
			time.Sleep(2 * short)
		}
	}
	want := []cloudfront.OriginConn{cloudfront.OriginCold, cloudfront.OriginCold, cloudfront.OriginCold, cloudfront.OriginWarm}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("origin states %v, want %v (HKG, FRA, HKG after its keep-alive, FRA within)", got, want)
			break
		}
	}
}

func TestConfigProblems(t *testing.T) {
	_, err := Start(context.Background(), Config{
		Distribution: "api.example.com", Port: -1,
		POPs:    []POPSpec{{Code: "hongkong"}, {Code: "FRA56-P3", Addrs: []string{"10.0.0.1"}}, {Code: "FRA56-P3"}},
		Aliases: map[string]string{"x.example.com": "NRT57-P2"},
	})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"distribution", "port -1", `POP "hongkong"`, "not a loopback address", "given twice", "alias x.example.com"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
