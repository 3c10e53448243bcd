package origin

import (
	"net/http"
	"testing"
)

func TestOriginVerify(t *testing.T) {
	const secret = "Zm9vYmFy-secret"
	cfg := testConfig()
	cfg.VerifyHeader = "X-Origin-Verify"
	cfg.VerifySecret = secret
	r := start(t, cfg, nil)
	c := dialRaw(t, r.addr)

	tests := []struct {
		name   string
		path   string
		header []string
		code   int
	}{
		{"missing header", "/", nil, http.StatusForbidden},
		{"wrong value", "/", []string{"X-Origin-Verify: nope"}, http.StatusForbidden},
		{"empty value", "/", []string{"X-Origin-Verify:"}, http.StatusForbidden},
		{"secret prefix only", "/", []string{"X-Origin-Verify: " + secret[:len(secret)-1]}, http.StatusForbidden},
		{"secret plus more", "/", []string{"X-Origin-Verify: " + secret + "x"}, http.StatusForbidden},
		{"other header carries the secret", "/", []string{"X-Other: " + secret}, http.StatusForbidden},
		{"right header", "/", []string{"X-Origin-Verify: " + secret}, http.StatusOK},
		{"header name is case-insensitive", "/", []string{"x-origin-verify: " + secret}, http.StatusOK},
		{"metrics need it too", "/metrics", nil, http.StatusForbidden},
		{"metrics with it", "/metrics", []string{"X-Origin-Verify: " + secret}, http.StatusOK},
		{"unknown paths are not revealed", "/nothing-here", nil, http.StatusForbidden},
		{"health check stays open", "/healthz", nil, http.StatusOK},
		{"health check with a wrong value", "/healthz", []string{"X-Origin-Verify: nope"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.get(t, tt.path, tt.header...)
			if resp.StatusCode != tt.code {
				t.Fatalf("status = %d (%q), want %d", resp.StatusCode, body, tt.code)
			}
			if tt.code == http.StatusForbidden && resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("403 is cacheable: Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestOriginVerifyOffWithoutSecret(t *testing.T) {
	r := start(t, testConfig(), nil) // header name set by default, no secret
	if resp, _ := dialRaw(t, r.addr).get(t, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 without verification", resp.StatusCode)
	}
}
