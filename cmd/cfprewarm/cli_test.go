package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// A bare 'cfprewarm' explains itself and names the first command to try; it
// starts nothing.
func TestBareCommandPrintsOverview(t *testing.T) {
	start := time.Now()
	code, out, errOut := runCLI()
	if code != 0 || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Try first", "  cfprewarm lab --quick\n", "cfprewarm --help"} {
		if !strings.Contains(out, want) {
			t.Errorf("overview lacks %q:\n%s", want, out)
		}
	}
	if d := time.Since(start); d > 5*time.Second || strings.Contains(out, "Total:") {
		t.Errorf("a bare cfprewarm ran something (%v):\n%s", d, out)
	}
}

// The version comes from the build information: `version`, `--version`
// and --help print the same line.
func TestVersionFromBuildInfo(t *testing.T) {
	want := "cfprewarm " + buildInfo().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if code, out, _ := runCLI(args...); code != 0 || out != want {
			t.Errorf("%v: exit %d, %q; want %q", args, code, out, want)
		}
	}
	if code, out, _ := runCLI("--help"); code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "New here? Start with 'cfprewarm lab --quick'") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	if !regexp.MustCompile(`^cfprewarm (dev|v\d+\.\d+\.\d+\S*)( \(.*go1\.\d+.*\))?\n$`).MatchString(want) {
		t.Errorf("version line %q", want)
	}
	// probe and warm name the same version in their User-Agent.
	for _, cmd := range []string{"probe", "warm"} {
		if _, help, _ := runCLI(cmd, "--help"); !strings.Contains(help, "(default cfprewarm/"+buildInfo().Short()) {
			t.Errorf("%s --help: the default User-Agent does not carry the build's version %s", cmd, buildInfo().Short())
		}
	}
}

// Help shows the GNU long form of every flag, with curl's short forms
// beside them; curl's -I, -A and -m work, and -k is refused with a pointer
// to --cacert.
func TestCurlShortForms(t *testing.T) {
	_, help, _ := runCLI("probe", "--help")
	for _, want := range []string{"--count", "-I, --head", "-A, --user-agent", "-m, --timeout", "-k, --insecure", "-H, --header"} {
		if !strings.Contains(help, want) {
			t.Errorf("probe --help lacks %q", want)
		}
	}
	var method, agent atomic.Value
	srv, ca := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		method.Store(r.Method)
		agent.Store(r.UserAgent())
		if r.URL.Path == "/slow" {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}
	})
	if code, _, errOut := runCLI("probe", "-I", "-A", "curl-like/1", "--cacert", ca, srv.URL); code != 0 || method.Load() != "HEAD" || agent.Load() != "curl-like/1" {
		t.Errorf("-I -A: exit %d (%s), server saw %v %v", code, errOut, method.Load(), agent.Load())
	}
	start := time.Now()
	code, out, _ := runCLI("probe", "-m", "200ms", "--cacert", ca, srv.URL+"/slow")
	if code != 1 || !strings.Contains(out, "failed in request") || time.Since(start) > 3*time.Second {
		t.Errorf("-m 200ms: exit %d after %v:\n%s", code, time.Since(start), out)
	}
	for _, cmd := range [][]string{{"probe", srv.URL}, {"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--dns-server", "127.0.0.1:9"}} {
		msg := wantUsageError(t, canceled(), append(cmd, "-k")...)
		if !strings.Contains(msg, "--cacert") {
			t.Errorf("%v -k: %q does not point to --cacert", cmd, msg)
		}
	}
}

// warm --every prints, in the table format, the header once and then one
// line per wave: no repeated header, no "wave 1/1" blocks.
func TestWarmEveryTableIsOneLinePerWave(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen atomic.Int64
	spec := loopback.POPSpec{Code: "HKG54-C1", OnRequest: func() {
		if seen.Add(1) == 3 { // the first request of the second run
			cancel()
		}
	}}
	_, flags := warmEdge(t, spec)
	var out, errb bytes.Buffer
	if code := run(ctx, append(flags, "--requests", "2", "--concurrency", "1", "--every", "1s"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 || strings.Count(out.String(), "TIME (UTC)") != 1 || strings.Contains(out.String(), "wave 1/1") {
		t.Fatalf("want a banner, a header and a line per wave:\n%s", out.String())
	}
	for i, line := range lines[2:] {
		if f := strings.Fields(line); len(f) < 10 || f[1] != string(rune('1'+i)) || f[2] != "1/1" || f[4] != "2" || f[5] != "2" || f[6] != "0" {
			t.Errorf("wave line %d: %q", i+1, line)
		}
	}
}
