package cloudfront

import (
	"net/http"
	"strings"
	"testing"
)

func TestEdgeHostID(t *testing.T) {
	for via, want := range map[string]string{
		"1.1 4fb6bd3cfb2ce84a4a5e1b8bfab9e3e2.cloudfront.net (CloudFront)":                   "4fb6bd3cfb2ce84a4a5e1b8bfab9e3e2",
		"1.1 origin-proxy, 1.1 0123ABCDEF0123456789abcdef012345.CloudFront.net (CloudFront)": "0123abcdef0123456789abcdef012345",
		// Chained: the origin is behind CloudFront too; the POP that
		// answered appended the last entry.
		"1.1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.cloudfront.net (CloudFront), 1.1 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.cloudfront.net (CloudFront)": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		"1.1 " + strings.Repeat("a", 65) + ".cloudfront.net (CloudFront)":                                                                    "",
		"1.1 " + strings.Repeat("a", 64) + ".cloudfront.net (CloudFront)":                                                                    strings.Repeat("a", 64),
		"1.1 warmtest.cloudfront.net (CloudFront)":                                                                                           "",
		"1.1 d111111abcdef8.HKG54-C1.cloudfront.net":                                                                                         "",
		"":            "",
		"1.1 varnish": "",
	} {
		if got := EdgeHostID(via); got != want {
			t.Errorf("EdgeHostID(%q) = %q, want %q", via, got, want)
		}
	}
	if got := EdgeHostID(Via("00ff")); got != "00ff" {
		t.Errorf("Via and EdgeHostID disagree: %q", got)
	}
}

// TestViaLines: every via header line is read, the last CloudFront entry
// names the edge host, the hops are counted, and a hostile via is kept
// bounded and yields no id.
func TestViaLines(t *testing.T) {
	up, own := Via(strings.Repeat("a", 32)), Via(strings.Repeat("b", 32))
	h := http.Header{}
	h.Add("Via", up) // the upstream CloudFront's line, from the origin's response
	h.Add("Via", own)
	got := ReadHeaders(h)
	if got.EdgeHost() != strings.Repeat("b", 32) || got.ViaHops() != 2 {
		t.Errorf("two via lines: id %q hops %d, want the last line's id and 2 hops", got.EdgeHost(), got.ViaHops())
	}
	if h := ReadHeaders(http.Header{"Via": {own}}); h.ViaHops() != 1 {
		t.Errorf("one entry: %d hops", h.ViaHops())
	}
	huge := "1.1 " + strings.Repeat("ab", 400_000) + ".cloudfront.net (CloudFront)"
	got = ReadHeaders(http.Header{"Via": {huge}})
	if len(got.Via) > MaxViaLen+len("…") || got.EdgeHost() != "" {
		t.Errorf("800 KB via: kept %d bytes, id %.20q; want at most %d bytes and no id", len(got.Via), got.EdgeHost(), MaxViaLen)
	}
	got = ReadHeaders(http.Header{"Via": {huge, own}})
	if got.EdgeHost() != strings.Repeat("b", 32) {
		t.Errorf("a huge entry before a sane last one: id %q", got.EdgeHost())
	}
}

func TestReadHeadersAndPragma(t *testing.T) {
	h := http.Header{}
	h.Set("x-amz-cf-id", "id==")
	h.Set("x-amz-cf-pop", "HKG62-C1")
	h.Set("x-cache", CacheMiss)
	h.Set("via", Via("abc"))
	got := ReadHeaders(h)
	if got != (Headers{ID: "id==", POP: "HKG62-C1", Cache: CacheMiss, Via: "1.1 abc.cloudfront.net (CloudFront)"}) || got.EdgeHost() != "abc" {
		t.Errorf("ReadHeaders = %+v", got)
	}
	for _, tc := range []struct {
		pragma []string
		want   bool
	}{
		{nil, false}, {[]string{"no-cache"}, false}, {[]string{"no-cache, Server-Timing"}, true},
		{[]string{"no-cache", "server-timing"}, true}, {[]string{"server-timings"}, false},
	} {
		h := http.Header{"Pragma": tc.pragma}
		if got := AsksServerTiming(h); got != tc.want {
			t.Errorf("AsksServerTiming(%q) = %v", tc.pragma, got)
		}
	}
	id := NewRequestID()
	if len(id) != 56 || !strings.HasSuffix(id, "==") || id == NewRequestID() {
		t.Errorf("request id %q", id)
	}
}

func TestSyntax(t *testing.T) {
	for h, want := range map[string]bool{
		"api.example.com": true, "API.Example.com.": true, "_acme.example.com": true, "localhost": true,
		"d111111abcdef8.cloudfront.net": true, "127.0.0.1": false, "::1": false, "127.1": false, "": false,
		"-a.example.com": false, "a..b": false, "https://a.com": false, "a.com:443": false, "a.com/x": false,
		strings.Repeat("a", 64) + ".com": false,
	} {
		if got := ValidHostname(h); got != want {
			t.Errorf("ValidHostname(%q) = %v, want %v", h, got, want)
		}
	}
	for s, want := range map[string]bool{"X-Origin-Verify": true, "a!#$%&'*+-.^_`|~9": true, "": false, "a b": false, "a:b": false, "é": false} {
		if got := ValidToken(s); got != want {
			t.Errorf("ValidToken(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{"plain value\twith tab": true, "": true, "a\r\nb": false, "a\x00": false, "a\nb": false} {
		if got := ValidHeaderValue(s); got != want {
			t.Errorf("ValidHeaderValue(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	h := http.Header{"X-Ok": {"fine"}, "Bad Name": {"v"}, "X-Inject": {"a\r\nEvil: 1"}}
	errs := HeaderErrors(h)
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), `"Bad Name"`) || !strings.Contains(errs[1].Error(), "X-Inject") {
		t.Errorf("HeaderErrors = %v", errs)
	}
	if HeaderErrors(http.Header{"User-Agent": {"cfprewarm/1 (prewarm)"}}) != nil {
		t.Error("a valid header was refused")
	}
}
