package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// limitOpenFiles sets the soft and hard open-file limits to n (the
// test's "ulimit -n n"), when n is a number.
func limitOpenFiles(n string) {
	if v, err := strconv.ParseUint(n, 10, 64); err == nil {
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: v, Max: v})
	}
}

// holdIdle opens n idle connections to addr, closed at the end of the test
// or by the returned function.
func holdIdle(t *testing.T, addr string, n int) (closeAll func()) {
	t.Helper()
	var conns []net.Conn
	for range n {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Fatalf("connection %d of %d: %v", len(conns)+1, n, err)
		}
		conns = append(conns, c)
	}
	closeAll = func() {
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	t.Cleanup(closeAll)
	return closeAll
}

// getWithin GETs url and returns its status and body, or fails the test
// when no answer comes within d.
func getWithin(t *testing.T, url string, d time.Duration) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: d, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOpenFileLimit: with 256 open files allowed (soft and hard, as
// "ulimit -n 256" sets them), 400 idle connections to the metrics port no
// longer take every descriptor (the main port answered nothing:
// "accept4: too many open files"), and 400 to the main port stop at the
// cap, lowered to fit the limit, so that the metrics port still answers.
func TestOpenFileLimit(t *testing.T) {
	a, serving := startApp(t, []string{"CURRENT_TIME_APP_TEST_NOFILE=256"},
		"--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--drain-period", "0")
	addr, _ := serving["addr"].(string)
	maddr, _ := serving["metrics_addr"].(string)
	want := 256 - 64 - 16
	if got, _ := serving["max_connections"].(float64); int(got) != want {
		t.Errorf("serving record %v: want max_connections %d (256 - 64 reserved - 16 for metrics)", serving, want)
	}

	closeMetrics := holdIdle(t, maddr, 400)
	if code, _ := getWithin(t, "http://"+addr+"/", 3*time.Second); code != http.StatusOK {
		t.Errorf("main port with 400 idle metrics connections: %d", code)
	}
	closeMetrics()

	holdIdle(t, addr, 400)
	code, body := getWithin(t, "http://"+maddr+"/metrics", 3*time.Second)
	if code != http.StatusOK {
		t.Fatalf("metrics port with 400 idle main connections: %d", code)
	}
	m := regexp.MustCompile(`(?m)^current_time_app_connections_limit (\d+)$`).FindStringSubmatch(body)
	if m == nil || m[1] != fmt.Sprint(want) {
		t.Errorf("connections_limit %v, want %d", m, want)
	}
	if a.stderr.Len() != 0 {
		t.Errorf("stderr: %s", a.stderr.String())
	}
}
