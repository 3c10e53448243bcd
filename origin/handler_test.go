package origin

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTimeBodyWithFixedClock(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	cfg := testConfig()
	cfg.Now = func() time.Time { return time.Date(2026, 3, 3, 13, 5, 6, 0, tokyo) }
	r := start(t, cfg, nil)

	resp, body := dialRaw(t, r.addr).get(t, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	// The seed's format, with the time converted to UTC.
	if want := "Current date and time: Tue, 03 Mar 2026 04:05:06 UTC"; body != want {
		t.Errorf("body = %q, want %q", body, want)
	}
	for k, want := range map[string]string{
		"Content-Type":   "text/plain; charset=utf-8",
		"Cache-Control":  "no-store",
		"Content-Length": "52",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

var rfc1123UTC = regexp.MustCompile(`^Current date and time: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3]\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} [0-2]\d:[0-5]\d:[0-6]\d UTC$`)

func TestTimeBodyIsNow(t *testing.T) {
	r := start(t, testConfig(), nil)
	before := time.Now().Truncate(time.Second)
	_, body := dialRaw(t, r.addr).get(t, "/")
	after := time.Now()

	if !rfc1123UTC.MatchString(body) {
		t.Fatalf("body %q is not %q + RFC1123 in UTC", body, BodyPrefix)
	}
	got, err := time.Parse(time.RFC1123, strings.TrimPrefix(body, BodyPrefix))
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(before) || got.After(after) {
		t.Errorf("time %v not between %v and %v", got, before, after)
	}
}

func TestHeadAnswersHeadersOnly(t *testing.T) {
	r := start(t, testConfig(), nil)
	c := dialRaw(t, r.addr)
	getResp, getBody := c.get(t, "/")
	headResp, headBody, err := c.do(http.MethodHead, "/")
	if err != nil {
		t.Fatal(err)
	}
	if headResp.StatusCode != http.StatusOK || headBody != "" {
		t.Fatalf("HEAD / = %d with body %q, want 200 without body", headResp.StatusCode, headBody)
	}
	for _, k := range []string{"Content-Type", "Cache-Control", "Content-Length"} {
		if got, want := headResp.Header.Get(k), getResp.Header.Get(k); got != want {
			t.Errorf("HEAD %s = %q, GET has %q", k, got, want)
		}
	}
	if got := headResp.Header.Get("Content-Length"); got != "52" || len(getBody) != 52 {
		t.Errorf("Content-Length %s, GET body %d bytes, want 52", got, len(getBody))
	}
	// The connection still works after HEAD: no stray body bytes were sent.
	if resp, _ := c.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET after HEAD = %d", resp.StatusCode)
	}
}

func TestRoutes(t *testing.T) {
	s, err := NewServer(testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		code         int
		body         string // prefix
		header       map[string]string
	}{
		{"GET", "/healthz", 200, "ok\n", map[string]string{"Cache-Control": "no-store"}},
		{"HEAD", "/healthz", 200, "", nil},
		{"GET", "/metrics", 200, "# HELP ", map[string]string{"Cache-Control": "no-store"}},
		{"GET", "/", 200, BodyPrefix, nil},
		{"GET", "/index.html", 404, "", nil},
		{"GET", "/healthz/", 404, "", nil},
		{"POST", "/", 405, "", map[string]string{"Allow": "GET, HEAD"}},
		{"DELETE", "/healthz", 405, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.code {
				t.Errorf("status = %d, want %d", w.Code, tt.code)
			}
			if !strings.HasPrefix(w.Body.String(), tt.body) {
				t.Errorf("body = %q, want prefix %q", w.Body.String(), tt.body)
			}
			for k, v := range tt.header {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
	if got := s.Stats().Requests; got[200] != 4 || got[404] != 2 || got[405] != 2 {
		t.Errorf("requests by code = %v, want 200:4 404:2 405:2", got)
	}
}
