package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/origin"
)

// TestMain lets a test start this test binary as current-time-app itself.
func TestMain(m *testing.M) {
	if os.Getenv("CURRENT_TIME_APP_TEST_MAIN") == "1" {
		limitOpenFiles(os.Getenv("CURRENT_TIME_APP_TEST_NOFILE"))
		main()
		return
	}
	os.Exit(m.Run())
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // stderr lines, in order
	}{
		{"timeout order", []string{"--idle-timeout", "50s", "--cloudfront-keepalive", "60s", "--lb-idle-timeout", "40s"}, nil, []string{
			"current-time-app: timeouts in the wrong order: idle timeout 50s must be longer than the CloudFront origin keep-alive timeout 1m0s",
			"current-time-app: timeouts in the wrong order: idle timeout 50s must be shorter than the load balancer idle timeout 40s",
		}},
		{"order from the environment", nil, map[string]string{"CLOUDFRONT_KEEPALIVE": "180s"}, []string{
			"current-time-app: timeouts in the wrong order: idle timeout 1m15s must be longer than the CloudFront origin keep-alive timeout 3m0s",
		}},
		{"bad value", []string{"--shutdown-timeout", "soon"}, nil, []string{
			`current-time-app: invalid argument "soon" for "--shutdown-timeout" flag: time: invalid duration "soon"`,
		}},
		{"nonsense timeouts and bad flags, every one at once", []string{"--read-header-timeout", "1ns", "--write-timeout", "1ms",
			"--idle-timeout", "1ns", "--shutdown-timeout", "5", "--max-connections", "0x", "--port", "80"}, map[string]string{"READ_TIMEOUT": "1us"}, []string{
			`current-time-app: invalid argument "5" for "--shutdown-timeout" flag: time: missing unit in duration "5"`,
			`current-time-app: invalid argument "0x" for "--max-connections" flag: must be an integer`,
			"current-time-app: unknown flag: --port",
			"current-time-app: idle timeout 1ns is below the floor of 1ms",
			"current-time-app: read-header timeout 1ns is below the floor of 100ms",
			"current-time-app: read timeout 1µs is below the floor of 100ms",
			"current-time-app: write timeout 1ms is below the floor of 100ms",
		}},
		{"unreadable key pair", []string{"--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem", "--listen", "127.0.0.1:0"}, nil, []string{
			"current-time-app: origin: load TLS key pair: open /nonexistent/c.pem: no such file or directory",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(context.Background(), tt.args, env(tt.env), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			for i, want := range tt.want {
				if i >= len(lines) || !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d:\n got %q\nwant %q…", i, strings.Join(lines, "\n"), want)
				}
			}
			if len(lines) != len(tt.want) {
				t.Errorf("%d stderr lines, want %d (one per problem):\n%s", len(lines), len(tt.want), stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// TestRunPortInUse: a port already in use exits 1 with one line on
// stderr saying so (besides the JSON log record on stdout).
func TestRunPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"--listen", busy.Addr().String()}, env(nil), &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "current-time-app: ") || !strings.Contains(lines[0], "address already in use") {
		t.Errorf("stderr %q, want one line naming the address in use", stderr.String())
	}
	if !strings.Contains(stdout.String(), `"level":"ERROR"`) {
		t.Errorf("stdout %q, want the JSON error record too", stdout.String())
	}
}

func TestRunHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--version"}} {
		var stdout, stderr strings.Builder
		if code := run(context.Background(), args, env(nil), &stdout, &stderr); code != 0 || stdout.Len() == 0 || stderr.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q", args, code, stdout.Len(), stderr.String())
		}
	}
}

// app is current-time-app running as a process (this test binary, through
// TestMain), with its JSON log records read from stdout.
type app struct {
	cmd    *exec.Cmd
	stderr *strings.Builder
	logs   chan map[string]any
}

// startApp starts the command with args and the extra environment, and
// waits for its "serving" record.
func startApp(t *testing.T, env []string, args ...string) (*app, map[string]any) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "CURRENT_TIME_APP_TEST_MAIN=1"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cmd: cmd, stderr: new(strings.Builder), logs: make(chan map[string]any, 1<<16)}
	cmd.Stderr = a.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		defer close(a.logs)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Errorf("stdout line %q is not JSON: %v", sc.Text(), err)
				continue
			}
			a.logs <- rec
		}
	}()
	return a, a.next(t, "serving")
}

// next returns the next log record with message msg, skipping others.
func (a *app) next(t *testing.T, msg string) map[string]any {
	t.Helper()
	for {
		select {
		case rec, ok := <-a.logs:
			if !ok {
				t.Fatalf("stdout closed before %q; stderr: %s", msg, a.stderr.String())
			}
			if rec["msg"] == msg {
				return rec
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %q log record", msg)
		}
	}
}

// TestSIGTERM runs the command as a process, sends it requests, keeps an
// idle keep-alive connection open and stops it with SIGTERM: it must exit
// 0 soon after the drain period, having logged every request as JSON.
func TestSIGTERM(t *testing.T) {
	a, serving := startApp(t, []string{"ORIGIN_VERIFY_SECRET=s3cret"}, "--listen", "127.0.0.1:0", "--drain-period", "300ms", "--shutdown-timeout", "10s")
	addr, _ := serving["addr"].(string)
	if serving["origin_verify"] != true {
		t.Errorf("serving record %v: origin verification should be on", serving)
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Header.Set(origin.DefaultVerifyHeader, "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), origin.BodyPrefix) {
		t.Fatalf("GET / = %d %q", resp.StatusCode, body)
	}
	rec := a.next(t, "request")
	for _, k := range []string{"method", "path", "status", "duration_ms", "remote", "conn", "reused"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("access log record %v has no %q", rec, k)
		}
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil {
		t.Fatal(err)
	}

	begin := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.next(t, "draining")
	a.next(t, "stopped")
	err = a.cmd.Wait()
	if err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, a.stderr.String())
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("took %v to exit with only an idle connection open", took)
	}
}

// --drain-period 0 turns the drain off: SIGTERM shuts down at once,
// without a drain period (a zero would otherwise be the 15 s default).
func TestSIGTERMWithoutDrain(t *testing.T) {
	a, serving := startApp(t, nil, "--listen", "127.0.0.1:0", "--drain-period", "0")
	if serving["drain_period"] != "0s" {
		t.Errorf("serving record %v: want drain_period 0s", serving)
	}
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for rec := range a.logs {
		if rec["msg"] == "draining" {
			t.Errorf("drained after --drain-period 0: %v", rec)
		}
	}
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, a.stderr.String())
	}
}
