package origin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// The prewarm path echoes the edge server address the CloudFront Function
// forwarded, only to requests that passed origin verification, only an IP
// address, and in canonical form; without verification it answers like /
// and echoes nothing.
func TestHostIDEcho(t *testing.T) {
	const secret = "Zm9vYmFy-secret"
	cfg := testConfig()
	cfg.VerifySecret = secret
	c := dialRaw(t, start(t, cfg, nil).addr)
	verified := "X-Origin-Verify: " + secret
	for _, tc := range []struct {
		name   string
		header []string
		code   int
		echo   string
	}{
		{"verified", []string{verified, cloudfront.HeaderEdgeServerIP + ": 10.1.0.3"}, http.StatusOK, "10.1.0.3"},
		{"IPv6, canonical", []string{verified, cloudfront.HeaderEdgeServerIP + ": 2001:DB8:0::1"}, http.StatusOK, "2001:db8::1"},
		{"not an address", []string{verified, cloudfront.HeaderEdgeServerIP + ": <script>"}, http.StatusOK, ""},
		{"no secret", []string{cloudfront.HeaderEdgeServerIP + ": 10.1.0.3"}, http.StatusForbidden, ""},
	} {
		resp, body := c.get(t, HostIDPath, tc.header...)
		if resp.StatusCode != tc.code || resp.Header.Get(cloudfront.HeaderEdgeServerIP) != tc.echo ||
			tc.code == 200 && !strings.HasPrefix(body, BodyPrefix) {
			t.Errorf("%s: status %d echo %q body %q; want %d, echo %q", tc.name, resp.StatusCode, resp.Header.Get(cloudfront.HeaderEdgeServerIP), body, tc.code, tc.echo)
		}
	}
	open := dialRaw(t, start(t, testConfig(), nil).addr)
	resp, body := open.get(t, HostIDPath, cloudfront.HeaderEdgeServerIP+": 10.1.0.3")
	if resp.StatusCode != 200 || resp.Header.Get(cloudfront.HeaderEdgeServerIP) != "" || !strings.HasPrefix(body, BodyPrefix) {
		t.Errorf("without verification: status %d echo %q", resp.StatusCode, resp.Header.Get(cloudfront.HeaderEdgeServerIP))
	}
}
