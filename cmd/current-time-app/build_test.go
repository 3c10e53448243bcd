package main

import (
	dbuild "debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
)

// buildApp builds current-time-app as a user does, with go build inside
// the repository, and returns the binary's path and the build information
// the toolchain stamped into it.
func buildApp(t *testing.T) (string, buildinfo.Info) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "current-time-app")
	// -buildvcs=auto: GOFLAGS may turn stamping off; a user's go build
	// stamps the commit (except in a git worktree, whose .git is a file).
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bi, err := dbuild.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	return bin, buildinfo.FromBuildInfo(bi, "")
}

// runBinary runs bin with args and the extra environment and returns its
// exit code, stdout and stderr.
func runBinary(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

// The binary as built: --version names the build (its commit), as
// `cfprewarm version` does, not "dev"; --help lists GNU-style --long flags
// with their environment variables; a long flag written with one dash
// still works; usage errors exit 2 naming every problem, from flags and
// from the environment alike.
func TestBuiltBinary(t *testing.T) {
	bin, info := buildApp(t)
	if info.Revision == "" {
		t.Logf("this checkout stamps no commit (%s): only the rest of the build information is compared", info)
	}
	for _, arg := range []string{"--version", "-version"} {
		code, out, errOut := runBinary(t, bin, nil, arg)
		if want := "current-time-app " + info.String() + "\n"; code != 0 || errOut != "" || out != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q", arg, code, out, errOut, want)
		}
		if info.Revision != "" && !strings.Contains(out, "commit "+info.Revision[:12]) {
			t.Errorf("%s: %q does not name the commit %s", arg, out, info.Revision)
		}
	}

	code, help, errOut := runBinary(t, bin, nil, "--help")
	if code != 0 || errOut != "" {
		t.Fatalf("--help: exit %d, stderr %q", code, errOut)
	}
	for _, e := range envOf {
		if !regexp.MustCompile(`(?m)^ +--` + e.flag + `( \w+)?\n.*\[\$` + e.env + `\]`).MatchString(help) {
			t.Errorf("--help does not show --%s with [$%s]", e.flag, e.env)
		}
	}
	if strings.Contains(help, " -listen") || !strings.Contains(help, "--version") {
		t.Errorf("--help is not in the --long style:\n%s", help)
	}

	code, out, errOut := runBinary(t, bin, []string{"IDLE_TIMEOUT=soon"}, "--port", "80", "--write-timeout", "5")
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != 2 || out != "" || len(lines) != 3 ||
		!strings.Contains(lines[0], "$IDLE_TIMEOUT") || !strings.Contains(errOut, "--port") || !strings.Contains(errOut, "--write-timeout") {
		t.Errorf("bad flags and environment: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and one line each for $IDLE_TIMEOUT, --port and --write-timeout", code, out, errOut)
	}
	code, _, errOut = runBinary(t, bin, []string{"CLOUDFRONT_KEEPALIVE=180s"})
	if code != 2 || !strings.Contains(errOut, "origin keep-alive timeout 3m0s") {
		t.Errorf("CLOUDFRONT_KEEPALIVE=180s: exit %d, stderr %q; want the timeout order refused", code, errOut)
	}
}
