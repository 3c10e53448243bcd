package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// TestMain lets a test start this test binary as cfprewarm itself
// (startCLI), to send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("CFPREWARM_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cliProcess is cfprewarm running as a process of its own.
type cliProcess struct {
	cmd            *exec.Cmd
	stdout, stderr strings.Builder
	exited         chan struct{}
	err            error // of Wait, once exited is closed
}

// startCLI starts cfprewarm with args and env added to this process's
// environment; its standard input is a pipe that nothing writes to.
func startCLI(t *testing.T, env []string, args ...string) *cliProcess {
	t.Helper()
	p := &cliProcess{cmd: exec.Command(os.Args[0], args...), exited: make(chan struct{})}
	p.cmd.Env = append(append(os.Environ(), "CFPREWARM_TEST_MAIN=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		stdin.Close()
	})
	return p
}

// exitedWithin reports whether the process exited within d.
func (p *cliProcess) exitedWithin(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// interrupt sends SIGINT.
func (p *cliProcess) interrupt(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	return p
}

// TestPlanInterrupted: Ctrl-C stops plan while it skips an endless line
// (/dev/zero), waits for a FIFO's writer or reads a silent standard input:
// exit 1 with one line on stderr.
func TestPlanInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"/dev/zero", func(*testing.T) []string { return []string{"plan", "/dev/zero"} }},
		{"FIFO", func(t *testing.T) []string { return []string{"plan", mkfifo(t)} }},
		{"standard input", func(*testing.T) []string { return []string{"plan", "-"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startCLI(t, nil, tc.args(t)...)
			time.Sleep(300 * time.Millisecond)
			p.interrupt(t)
			if !p.exitedWithin(3 * time.Second) {
				t.Fatal("still running 3 s after SIGINT")
			}
			var ee *exec.ExitError
			if !errors.As(p.err, &ee) || ee.ExitCode() != 1 || p.stderr.String() != "cfprewarm plan: interrupted\n" {
				t.Errorf("exit %v, stderr %q; want 1 and one line saying interrupted", p.err, p.stderr.String())
			}
		})
	}
}

// TestSecondSignalExitsAtOnce: when the first signal cannot stop a
// command (here probe waits in open(2) for a FIFO given as --cacert), the
// second ends the process at once.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	p := startCLI(t, nil, "probe", "https://127.0.0.1:9/", "--cacert", mkfifo(t), "--dns-server", "127.0.0.1:9")
	time.Sleep(300 * time.Millisecond)
	p.interrupt(t)
	if p.exitedWithin(500 * time.Millisecond) {
		t.Fatalf("exited on the first signal (%v, stderr %q): this test needs a command the first signal cannot stop", p.err, p.stderr.String())
	}
	p.interrupt(t)
	if !p.exitedWithin(2 * time.Second) {
		t.Fatal("still running 2 s after the second SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(p.err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Errorf("exit %v: want the process ended by SIGINT", p.err)
	}
}

// TestWarmSecondSignalAbortsTheWave: warm takes the second signal itself:
// it aborts the wave in progress and reports, rather than being killed.
func TestWarmSecondSignalAbortsTheWave(t *testing.T) {
	started := make(chan struct{}, 16)
	_, flags := warmEdge(t, loopback.POPSpec{Code: "HKG54-C1", Delay: 5 * time.Second, OnRequest: func() { started <- struct{}{} }})
	p := startCLI(t, nil, append(flags, "--requests", "2", "--timeout", "20s")...)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatalf("no request reached the POP; stderr %q", p.stderr.String())
	}
	p.interrupt(t)
	time.Sleep(200 * time.Millisecond)
	p.interrupt(t)
	if !p.exitedWithin(3 * time.Second) {
		t.Fatal("still running 3 s after the second SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(p.err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("exit %v: want 1, the process ending on its own", p.err)
	}
	if !strings.Contains(p.stderr.String(), "stopping after the wave in progress") || !strings.Contains(p.stdout.String(), "unfinished") {
		t.Errorf("stdout %q\nstderr %q", p.stdout.String(), p.stderr.String())
	}
}
