package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testServer is a loopback TLS server and the PEM file of its certificate.
func testServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	return srv, ca
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestProbeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"probe"},
		{"probe", "not a url"},
		{"probe", "ftp://example.com/"},
		{"probe", "https://example.com/", "--count", "0"},
		{"probe", "https://example.com/", "--interval", "soon"},
		{"probe", "https://example.com/", "--format", "xml"},
		{"probe", "https://example.com/", "--resolve", "example.com:443"},
		{"probe", "https://example.com/", "--pop", "HKG54-C1"},
		{"probe", "https://example.com/", "--pop", "hongkong", "--distribution", "d1.cloudfront.net"},
		{"probe", "https://example.com/", "-4", "-6"},
		{"probe", "https://example.com/", "--cacert", "/nonexistent.pem"},
		{"probe", "https://example.com/", "--no-such-flag"},
		{"nosuchcommand"},
	} {
		if args[0] == "probe" {
			// Should a case slip through to a real probe, it stays on loopback.
			args = append(args, "--dns-server", "127.0.0.1:9", "--timeout", "1s")
		}
		code, out, errOut := runCLI(args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut)
		}
		if out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%v: want one line on stderr only, got stdout %q stderr %q", args, out, errOut)
		}
	}
}

func TestProbeHelp(t *testing.T) {
	code, out, _ := runCLI("probe", "--help")
	if code != 0 || !strings.Contains(out, "Usage: cfprewarm probe") || !strings.Contains(out, "--resolve") && !strings.Contains(out, "-resolve") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

func TestProbeSeedFormat(t *testing.T) {
	srv, ca := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Cf-Id", "abc_DEF-123==")
		w.Header().Set("Server-Timing", "cdn-upstream-connect;dur=0")
	})
	for _, name := range []string{"check-url-timing", "seed"} { // seed: the old name, still accepted
		checkURLTimingFormat(t, srv.URL, ca, name)
	}
}

func checkURLTimingFormat(t *testing.T, url, ca, name string) {
	code, out, errOut := runCLI("probe", "--format", name, "--cacert", ca, url)
	seed := regexp.MustCompile(`^Total: \d+\.\d{6}, DNS: \d+\.\d{6}, TCP: \d+\.\d{6}, SSL: \d+\.\d{6}, Request: \d+\.\d{6}, x-amz-cf-id: abc_DEF-123==\n$`)
	if code != 0 || !seed.MatchString(out) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestProbeSeriesSummaryAndFormats(t *testing.T) {
	srv, ca := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Cf-Pop", "HKG62-C1")
		w.Header().Set("Server-Timing", "cdn-upstream-connect;dur=0")
	})
	code, out, _ := runCLI("probe", "--count", "3", "--interval", "10ms", "--cacert", ca, srv.URL)
	if code != 0 || strings.Count(out, "origin warm") != 3 || !strings.Contains(out, "3 probes, 3 ok") || !strings.Contains(out, "3 warm (reused)") {
		t.Errorf("human series: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("probe", "--count", "2", "--interval", "10ms", "--format", "json", "--cacert", ca, srv.URL)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[0], `"type":"probe"`) || !strings.Contains(lines[2], `"type":"summary"`) {
		t.Errorf("json series: exit %d\n%s", code, out)
	}
	code, out, errOut := runCLI("probe", "--count", "2", "--interval", "10ms", "--format", "csv", "--cacert", ca, srv.URL)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "seq,start,url") {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
	if !strings.Contains(errOut, "2 probes, 2 ok") {
		t.Errorf("csv summary should go to stderr: %q", errOut)
	}
}

func TestProbeExitStatus(t *testing.T) {
	srv, ca := testServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	if code, _, _ := runCLI("probe", "--cacert", ca, srv.URL); code != 0 {
		t.Errorf("non-2xx without --fail: exit %d, want 0", code)
	}
	if code, _, errOut := runCLI("probe", "--fail", "--cacert", ca, srv.URL); code != 1 || !strings.Contains(errOut, "non-2xx") {
		t.Errorf("non-2xx with --fail: exit %d %q", code, errOut)
	}
	// No --cacert: the server's certificate is not trusted, every probe fails.
	code, out, errOut := runCLI("probe", "--count", "2", "--interval", "1ms", srv.URL)
	if code != 1 || !strings.Contains(errOut, "all 2 probes failed") || !strings.Contains(out, "failed in tls") {
		t.Errorf("all failed: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}
