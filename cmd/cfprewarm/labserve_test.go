package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// Every command lab serve prints runs as printed: the probe and warm
// commands through the CLI, the curl commands through a shell.
// startLabServe runs 'cfprewarm lab serve args...' until it has printed
// its commands. stop ends it like Ctrl-C and checks that it exited 0.
func startLabServe(t *testing.T, args ...string) (out *loopback.Output, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	var once sync.Once
	out = &loopback.Output{OnWrite: func(all string) {
		if strings.Contains(all, "Ctrl-C stops the lab") {
			once.Do(func() { close(ready) })
		}
	}}
	var errb loopback.Output
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"lab", "serve"}, args...), out, &errb) }()
	select {
	case <-ready:
	case code := <-done:
		cancel()
		t.Fatalf("lab serve exited %d early: %s", code, errb.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("lab serve did not come up in 30 s")
	}
	var stopOnce sync.Once
	return out, func() {
		stopOnce.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("lab serve: exit %d after Ctrl-C: %s", code, errb.String())
			}
		})
	}
}

func TestLabServePrintedCommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs every command lab serve prints (about 12 s)")
	}
	out, stop := startLabServe(t)
	defer stop()

	var cmds []string
	_, try, _ := strings.Cut(out.String(), "\nTry:\n")
	for line := range strings.Lines(try) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "cfprewarm ") || strings.HasPrefix(line, "curl ") {
			cmds = append(cmds, line)
		}
	}
	if len(cmds) != 7 {
		t.Fatalf("want 4 cfprewarm and 3 curl commands, got %d:\n%s", len(cmds), out.String())
	}
	curl, curlErr := exec.LookPath("curl")
	for _, line := range cmds {
		var got string
		switch {
		case strings.HasPrefix(line, "cfprewarm warm ") && strings.Contains(line, "--every"): // a daemon: until its first wave is reported
			wctx, stop := context.WithCancel(context.Background())
			wout := &loopback.Output{OnWrite: func(all string) {
				if strings.Count(all, "\n") >= 3 {
					stop()
				}
			}}
			var werr bytes.Buffer
			if code := run(wctx, strings.Fields(line)[1:], wout, &werr); code != 0 {
				t.Errorf("%s\nexit %d: %s", line, code, werr.String())
			}
			stop()
			got = wout.String()
			if !strings.Contains(got, "TIME (UTC)") || !strings.Contains(got, " 240   240       0 ") {
				t.Errorf("%s\n%s", line, got)
			}
		case strings.HasPrefix(line, "cfprewarm "):
			var pout, perr bytes.Buffer
			if code := run(context.Background(), strings.Fields(line)[1:], &pout, &perr); code != 0 {
				t.Errorf("%s\nexit %d: %s", line, code, perr.String())
			}
			want := "5 probes, 5 ok" // the probe
			if strings.HasPrefix(line, "cfprewarm warm ") {
				want = "all 3 waves" // --requests auto, three waves
			}
			if strings.HasPrefix(line, "cfprewarm doctor ") {
				want = "edge host ids    per-host (8 ids" // the viewer POP's 8 hosts
			}
			if got = pout.String(); !strings.Contains(got, want) {
				t.Errorf("%s\nlacks %q:\n%s", line, want, got)
			}
		case curlErr != nil:
			t.Logf("no curl here (%v): not run: %s", curlErr, line)
		default:
			b, err := exec.Command("sh", "-c", strings.Replace(line, "curl ", curl+" ", 1)).CombinedOutput()
			if got = string(b); err != nil {
				t.Errorf("%s\n%v: %s", line, err, got)
			}
			want := map[bool]string{true: "current_time_app_requests_total", false: "x-amz-cf-pop: HKG62-C1"}[strings.Contains(line, "/metrics")]
			if strings.Contains(line, "-w ") {
				want = "Total: 0."
			}
			if !strings.Contains(got, want) {
				t.Errorf("%s\nlacks %q:\n%s", line, want, got)
			}
		}
	}
}
