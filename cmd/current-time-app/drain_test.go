package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/origin"
)

// loadClient behaves like an ordinary HTTP/1.1 client: one keep-alive
// connection, one request at a time, a new connection after a response
// with "Connection: close", and no retries: a request that fails on an
// established connection is lost.
type loadClient struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
	used bool // the connection carried a request already
}

// outcome of one attempt.
type outcome int

const (
	answered outcome = iota // a complete 200
	refused                 // no connection: refused at connect (or reset, or timed out)
	failed                  // lost on an established connection
)

// do sends one request. It reports the outcome, whether the connection
// had carried a request before, and the error of a failure.
func (c *loadClient) do() (outcome, bool, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, 3*time.Second)
		if err != nil {
			// Whatever the reason (refused, reset, timed out), the
			// request was never sent.
			return refused, false, err
		}
		c.conn, c.br, c.used = conn, bufio.NewReader(conn), false
	}
	reused := c.used
	c.used = true
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c.conn, "GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n"); err != nil {
		c.drop()
		return failed, reused, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.drop()
		return failed, reused, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), origin.BodyPrefix) {
		c.drop()
		return failed, reused, fmt.Errorf("%s %q %v", resp.Status, body, err)
	}
	if resp.Close {
		c.drop()
	}
	return answered, reused, nil
}

func (c *loadClient) drop() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// TestSIGTERMDrainUnderKeepAliveLoad runs the command as a process under
// keep-alive load from 32 ordinary clients and sends it SIGTERM mid-run.
// No request may fail mid-flight: each is answered completely or refused
// at connect. /healthz answers 503 at once, the drain keeps serving new
// connections, and the process exits 0.
//
// A connect can succeed and the connection still be reset unanswered when
// the kernel completed its handshake but the app never accepted it (the
// overlap described at listener.acceptQuietly): the app refused it as
// surely as a closed port. Such failures on new connections are counted
// as refused only if the app's count of accepted connections equals the
// number of connections that got an answer, which proves the app accepted
// none of them; any failure on a reused connection fails the test.
func TestSIGTERMDrainUnderKeepAliveLoad(t *testing.T) {
	const (
		clients = 32
		drain   = time.Second
	)
	a, serving := startApp(t, nil, "--listen", "127.0.0.1:0", "--drain-period", drain.String(), "--shutdown-timeout", "5s")
	addr, _ := serving["addr"].(string)

	var (
		termSent                            atomic.Bool
		ok, okReused, okAfterTerm, refusedN atomic.Int64
		failedNew, failedReused             atomic.Int64
		mu                                  sync.Mutex
		why                                 []string
		stop                                = make(chan struct{})
		wg                                  sync.WaitGroup
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &loadClient{addr: addr}
			defer c.drop()
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := termSent.Load()
				switch out, reused, err := c.do(); out {
				case answered:
					ok.Add(1)
					if reused {
						okReused.Add(1)
					}
					if after {
						okAfterTerm.Add(1)
					}
				case refused:
					refusedN.Add(1)
					time.Sleep(5 * time.Millisecond)
				case failed:
					if reused {
						failedReused.Add(1)
					} else {
						failedNew.Add(1)
					}
					mu.Lock()
					why = append(why, fmt.Sprintf("reused=%v after SIGTERM=%v: %v", reused, after, err))
					mu.Unlock()
				}
			}
		}()
	}

	deadline := time.Now().Add(10 * time.Second)
	for okReused.Load() < 20*clients && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	termSent.Store(true)
	term := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The health check fails at once, on a new connection, while the
	// load goes on.
	var unhealthyAfter time.Duration
	var probes int64 // connections of the health probe that were answered
	for unhealthyAfter == 0 && time.Since(term) < drain {
		probe := &loadClient{addr: addr}
		probe.conn, _ = net.DialTimeout("tcp", addr, time.Second)
		if probe.conn == nil {
			continue
		}
		probe.conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(probe.conn, "GET "+origin.HealthPath+" HTTP/1.1\r\nHost: origin.test\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(probe.conn), nil); err == nil {
			probes++
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable {
				unhealthyAfter = time.Since(term)
			}
		}
		probe.drop()
	}
	exit := a.cmd.Wait()
	exited := time.Since(term)
	time.Sleep(50 * time.Millisecond) // the clients now meet a closed port
	close(stop)
	wg.Wait()

	var logged int64
	var accepted float64 = -1
	settled := "no shutting down record"
	for rec := range a.logs {
		switch {
		case rec["msg"] == "request" && rec["path"] == "/" && rec["status"] == float64(200):
			logged++
		case rec["msg"] == "shutting down":
			settled, _ = rec["settled"].(string)
		case rec["msg"] == "stopped":
			accepted, _ = rec["connections"].(float64)
		}
	}
	// Every connection that got an answer was a new one answered first.
	answeredConns := ok.Load() - okReused.Load() + probes
	t.Logf("%d clients: %d answered (%d on reused connections, %d after SIGTERM), %d refused at connect, "+
		"%d reset unanswered on a new connection, %d failed on a reused connection; "+
		"the app accepted %v connections, %d were answered; /healthz 503 %v after SIGTERM; exit %v after SIGTERM; "+
		"%d requests in the access log; settled: %s",
		clients, ok.Load(), okReused.Load(), okAfterTerm.Load(), refusedN.Load(), failedNew.Load(), failedReused.Load(),
		accepted, answeredConns, unhealthyAfter, exited, logged, settled)
	if exit != nil {
		t.Errorf("exit: %v; stderr: %s", exit, a.stderr.String())
	}
	if n := failedReused.Load(); n > 0 {
		t.Errorf("%d requests failed mid-flight on reused connections: %q", n, why[:min(len(why), 5)])
	}
	if accepted != float64(answeredConns) {
		t.Errorf("the app accepted %v connections, %d got an answer: the app dropped accepted connections (%d new ones failed: %q)",
			accepted, answeredConns, failedNew.Load(), why[:min(len(why), 5)])
	}
	if unhealthyAfter == 0 || unhealthyAfter > drain/2 {
		t.Errorf("/healthz turned 503 after %v, want at once", unhealthyAfter)
	}
	if exited < drain || exited > drain+5*time.Second {
		t.Errorf("exited %v after SIGTERM, want a little over the drain period %v", exited, drain)
	}
	if okAfterTerm.Load() < clients {
		t.Errorf("only %d requests answered after SIGTERM: the drain did not keep serving", okAfterTerm.Load())
	}
	if refusedN.Load() == 0 {
		t.Error("no client was refused at connect: the load did not outlast the process")
	}
	if logged != ok.Load() {
		t.Errorf("the app logged %d answered requests, the clients got %d", logged, ok.Load())
	}
}
