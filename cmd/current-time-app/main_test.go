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
			`current-time-app: invalid value "soon" for flag -shutdown-timeout: time: invalid duration "soon"`,
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
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
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

// TestSIGTERM runs the command as a process, sends it requests, keeps an
// idle keep-alive connection open and stops it with SIGTERM: it must exit
// 0 well within the drain timeout, having logged every request as JSON.
func TestSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--listen", "127.0.0.1:0", "--shutdown-timeout", "10s")
	cmd.Env = append(os.Environ(), "CURRENT_TIME_APP_TEST_MAIN=1", "ORIGIN_VERIFY_SECRET=s3cret")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	logs := make(chan map[string]any, 100)
	go func() {
		defer close(logs)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Errorf("stdout line %q is not JSON: %v", sc.Text(), err)
				continue
			}
			logs <- rec
		}
	}()
	next := func(msg string) map[string]any {
		t.Helper()
		for {
			select {
			case rec, ok := <-logs:
				if !ok {
					t.Fatalf("stdout closed before %q; stderr: %s", msg, stderr.String())
				}
				if rec["msg"] == msg {
					return rec
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no %q log record", msg)
			}
		}
	}
	serving := next("serving")
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
	rec := next("request")
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
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	next("stopped")
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, stderr.String())
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("took %v to exit with only an idle connection open", took)
	}
}
