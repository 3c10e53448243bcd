package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// wantUsageError runs args with ctx and wants exit 2 with one line on
// stderr and nothing on stdout.
func wantUsageError(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	if code != 2 || out.Len() != 0 || errb.Len() == 0 || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and one line on stderr", args, code, out.String(), errb.String())
	}
	return errb.String()
}

// canceled is a context that is done already: should a case slip through
// usage checking, it sends nothing anywhere.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// --every below a floor, or shorter than the run it repeats, is refused
// before anything is sent.
func TestWarmEveryFloor(t *testing.T) {
	base := []string{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--dns-server", "127.0.0.1:9"}
	for _, extra := range [][]string{
		{"--every", "1ns"},
		{"--every", "20ms"},
		{"--every", "999ms"},
		{"--every", "-1s"},
		{"--waves", "3", "--wave-interval", "20s", "--every", "59s"},
	} {
		msg := wantUsageError(t, canceled(), append(base, extra...)...)
		if !strings.Contains(msg, "--every") {
			t.Errorf("%v: %q does not name --every", extra, msg)
		}
	}
}

// Line breaks in header values and the user agent, an IP as --host and an
// empty --dns-server are usage errors of probe and warm alike.
func TestConnectionFlagsRefused(t *testing.T) {
	for _, cmd := range [][]string{
		{"probe", "https://127.0.0.1:9/"},
		// The last --dns-server wins: the empty ones below replace this one.
		{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--dns-server", "127.0.0.1:9"},
	} {
		for _, extra := range [][]string{
			{"-A", "cfprewarm\r\nX-Injected: 1"},
			{"--user-agent", "a\nb"},
			{"-H", "X-Test: a\r\nX-Injected: 1"},
			{"--header", "X-Test: a\nb"},
			{"--dns-server", ""},
			{"--dns-server", " "},
		} {
			wantUsageError(t, canceled(), append(append([]string{}, cmd...), extra...)...)
		}
	}
	for _, host := range []string{"127.0.0.1", "::1", "[::1]", "api.example.com:443", "https://api.example.com"} {
		msg := wantUsageError(t, canceled(), "warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--dns-server", "127.0.0.1:9", "--host", host)
		if !strings.Contains(msg, "host") {
			t.Errorf("--host %s: %q", host, msg)
		}
	}
}

func TestLabFlagsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"lab", "--time-scale", "NaN"},
		{"lab", "--time-scale", "nan"},
		{"lab", "--time-scale", "Inf"},
		{"lab", "--time-scale", "-Inf"},
		{"lab", "--hosts", "100000"},
		{"lab", "--out", file},                                  // a regular file: the report would be lost
		{"lab", "--out", filepath.Join(file, "sub")},            // under a regular file
		{"lab", "serve", "--hosts", "100000"},                   // exit 2, not 1
		{"lab", "serve", "--ca-out", file},                      // never overwritten
		{"lab", "serve", "--ca-out", filepath.Join(file, "ca")}, // no such directory
	} {
		wantUsageError(t, canceled(), args...)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep me" {
		t.Errorf("the existing file was changed or removed: %q %v", b, err)
	}
}

// lab serve --ca-out writes a new file while the lab runs and removes it,
// and only it, when the lab stops.
func TestLabServeCAOutRemovesOnlyWhatItMade(t *testing.T) {
	caOut := filepath.Join(t.TempDir(), "lab-ca.pem")
	out, stop := startLabServe(t, "--profile", "local", "--ca-out", caOut)
	b, err := os.ReadFile(caOut)
	if err != nil || !bytes.HasPrefix(b, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Errorf("--ca-out while running: %v %q", err, b)
	}
	if !strings.Contains(out.String(), "--cacert "+caOut) {
		t.Errorf("the printed commands do not use the --ca-out file:\n%s", out.String())
	}
	stop()
	if _, err := os.Stat(caOut); !os.IsNotExist(err) {
		t.Errorf("the CA file the lab wrote is still there: %v", err)
	}
}

// An interrupt during a scenario's first prewarm wave keeps the scenario
// that finished, and says it was interrupted (not that the wave got no
// answer).
func TestLabInterruptedInFirstPrewarmWave(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs one lab scenario (about 2 s)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errb := &loopback.Output{OnWrite: func(all string) {
		if strings.Contains(all, "scenario 2/2") { // just before ka60-prewarm's first wave
			cancel()
		}
	}}
	var out loopback.Output
	code := run(ctx, []string{"lab", "--quick", "--probes", "1"}, &out, errb)
	stderr := errb.String()
	if code != 1 || !strings.Contains(stderr, "interrupted: the report covers ka5-noprewarm (1 of 1 probes)") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "got no answer") {
		t.Errorf("misleading message:\n%s", stderr)
	}
	if !strings.Contains(out.String(), "\nka5-noprewarm ") {
		t.Errorf("the table lacks the finished scenario:\n%s", out.String())
	}
}

// fakeAWSEnv is the environment of a process that talks to a loopback S3
// only: fake static credentials, no shared files, no instance metadata.
func fakeAWSEnv(t *testing.T) []string {
	none := filepath.Join(t.TempDir(), "none")
	return []string{"AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY=fake-secret", "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + none, "AWS_SHARED_CREDENTIALS_FILE=" + none,
		"AWS_ENDPOINT_URL=", "AWS_ENDPOINT_URL_S3=", "AWS_CONTAINER_CREDENTIALS_FULL_URI=", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=",
		"AWS_WEB_IDENTITY_TOKEN_FILE="}
}

// plan over an S3-compatible store whose listing repeats its continuation
// token ends at once, exit 1, one line that says why (it listed forever).
func TestPlanS3RepeatedToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+
			`<Name>logs</Name><IsTruncated>true</IsTruncated><NextContinuationToken>again</NextContinuationToken>`+
			`<Contents><Key>cf/a.log</Key><Size>100</Size></Contents></ListBucketResult>`)
	}))
	defer srv.Close()
	p := startCLI(t, fakeAWSEnv(t), "plan", "s3://logs/cf/", "--s3-endpoint", srv.URL, "--s3-region", "eu-central-1")
	if !p.exitedWithin(5 * time.Second) {
		t.Fatal("still listing after 5 s")
	}
	var ee *exec.ExitError
	stderr := p.stderr.String()
	if !errors.As(p.err, &ee) || ee.ExitCode() != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `repeated continuation token "again"`) {
		t.Errorf("exit %v, stderr %q; want 1 and one line naming the repeated token", p.err, stderr)
	}
}

// A POP whose name does not resolve gets none of its requests to a host:
// the table shows no predicted coverage for it (it showed 97.9%).
func TestWarmUnresolvedPOPHasNoCoverage(t *testing.T) {
	_, flags := warmEdge(t, loopback.POPSpec{Code: "HKG54-C1"})
	for i, f := range flags {
		if f == "--pops" {
			flags[i+1] = "HKG54-C1,NRT57-P2" // the lab has no NRT57-P2: NXDOMAIN
		}
	}
	code, out, _ := runCLI(append(flags, "--requests", "4")...)
	if code != 1 {
		t.Errorf("exit %d, want 1 (the NRT57-P2 requests failed)", code)
	}
	cover := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 6 && (f[0] == "HKG54-C1" || f[0] == "NRT57-P2") {
			cover[f[0]] = f[6]
		}
	}
	if cover["NRT57-P2"] != "-" || !strings.HasSuffix(cover["HKG54-C1"], "%") {
		t.Errorf("COVER %v, want - for the POP that did not resolve:\n%s", cover, out)
	}
}

// Each usage error names the one thing to change: only the rule that
// failed, never a flag the user did not give, the command or flag meant.
func TestUsageMessagesNameTheFix(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		want      []string // in the message
		wantNot   []string
		wantExact string
	}{
		{args: []string{"lab", "serve", "--hosts", "100"}, wantExact: "cfprewarm lab serve: --hosts 100: want 1 to 64 edge hosts per POP\n"},
		{args: []string{"lab", "serve", "--origin-idle", "-1s"}, wantExact: "cfprewarm lab serve: --origin-idle -1s: want a positive duration\n"},
		{args: []string{"warm", "https://d111111abcdef8.cloudfront.net/", "--pops", "HKG62-C1"},
			want: []string{"give the distribution domain alone, d111111abcdef8.cloudfront.net"}, wantNot: []string{"host"}},
		{args: []string{"warm", "d111111abcdef8", "--pops", "HKG62-C1"}, want: []string{"give the distribution domain as d111111abcdef8.cloudfront.net"}},
		{args: []string{"warm", "api.example.com", "--pops", "HKG62-C1"}, want: []string{"a custom domain goes to --host"}},
		{args: []string{"prob", "https://example.com/"}, wantExact: "cfprewarm: unknown command \"prob\": did you mean probe? (see cfprewarm --help)\n"},
		{args: []string{"lab", "serv"}, want: []string{"did you mean 'cfprewarm lab serve'?"}},
		{args: []string{"warm", "d1.cloudfront.net", "--pop", "HKG62-C1"}, wantExact: "cfprewarm warm: unknown flag --pop: did you mean --pops?\n"},
		{args: []string{"probe", "https://example.com/", "--pops", "HKG62-C1"}, want: []string{"did you mean --pop?"}},
		{args: []string{"warm", "d1.cloudfront.net", "--pops", "HKG62-C1", "--waves", "2", "--every", "30s"},
			want: []string{"give --every 40s or more"}},
	} {
		args := tc.args
		if args[0] == "warm" || args[0] == "probe" { // should a case slip through, its lookups stay on loopback
			args = append(args, "--dns-server", "127.0.0.1:9")
		}
		msg := wantUsageError(t, canceled(), args...)
		if tc.wantExact != "" && msg != tc.wantExact {
			t.Errorf("%q:\n got  %q\n want %q", tc.args, msg, tc.wantExact)
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q: %q lacks %q", tc.args, msg, w)
			}
		}
		for _, w := range tc.wantNot {
			if strings.Contains(strings.TrimPrefix(msg, "cfprewarm warm: \"https://d111111abcdef8.cloudfront.net/\""), w) {
				t.Errorf("%q: %q mentions %q", tc.args, msg, w)
			}
		}
	}
}

// lab --quick at a time scale too high for a scenario named on the command
// line names --time-scale and the value to give, says that --quick set the
// scale, and the value it names is accepted (one more is not). (`--scenario
// all` runs the scenarios that fit and names the others: TestLabAllSkipsUnfit.)
func TestLabQuickTimeScaleNamesTheFlag(t *testing.T) {
	scenarios := "ka5-noprewarm,ka60-noprewarm,coverage"
	msg := wantUsageError(t, canceled(), "lab", "--scenario", scenarios, "--quick")
	m := regexp.MustCompile(`^cfprewarm lab: --quick sets --time-scale 60, too high for scenario .*: add --time-scale (\d+)\n$`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("%q: want --quick sets --time-scale 60 ... add --time-scale K", msg)
	}
	k, _ := strconv.Atoi(m[1])
	if code := run(canceled(), []string{"lab", "--scenario", scenarios, "--quick", "--time-scale", fmt.Sprint(k)}, io.Discard, io.Discard); code == 2 {
		t.Errorf("--time-scale %d, as the message says, is refused", k)
	}
	wantUsageError(t, canceled(), "lab", "--scenario", scenarios, "--quick", "--time-scale", fmt.Sprint(k+1))
}

// lab --scenario all --quick runs the scenarios that keep their timing and
// names each other one with the flag and value that would run it.
func TestLabAllSkipsUnfit(t *testing.T) {
	var errb bytes.Buffer
	run(canceled(), []string{"lab", "--scenario", "all", "--quick"}, io.Discard, &errb)
	skips := regexp.MustCompile(`(?m)^lab: skipping scenario (\S+): --quick sets --time-scale 60, too high for it with profile hkg-fra \(round trips are not scaled\): run it with --time-scale (\d+)$`).FindAllStringSubmatch(errb.String(), -1)
	if len(skips) == 0 {
		t.Fatalf("no skip line naming --time-scale:\n%s", errb.String())
	}
	for _, m := range skips {
		k, _ := strconv.Atoi(m[2])
		if k < 1 || k >= 60 {
			t.Errorf("%s: --time-scale %d", m[1], k)
		}
		if code := run(canceled(), []string{"lab", "--scenario", m[1], "--quick", "--time-scale", fmt.Sprint(k)}, io.Discard, io.Discard); code == 2 {
			t.Errorf("%s at --time-scale %d, as the skip line says, is refused", m[1], k)
		}
	}
}

// --every with one wave is the interval between waves: the wave interval
// (default 20 s) plays no part, so 10 s is accepted (docs/warm.md).
func TestWarmEveryWithOneWave(t *testing.T) {
	args := []string{"warm", "d1.cloudfront.net", "--pops", "HKG62-C1", "--dns-server", "127.0.0.1:9", "--every", "10s"}
	var errb bytes.Buffer
	if code := run(canceled(), args, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "interrupted before the first run") {
		t.Errorf("exit %d, stderr %q: want the daemon started (and stopped at once by the canceled context)", code, errb.String())
	}
}
