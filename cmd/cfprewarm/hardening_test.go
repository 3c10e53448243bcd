package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
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
