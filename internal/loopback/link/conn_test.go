package link

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"testing"
	"time"
)

// pair returns the two ends of a loopback TCP connection: client dialed
// with l.Dial (latency on the client side) and server as accepted, plain.
func pair(t testing.TB, l Link) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err = l.Dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestOneWayWithinBounds(t *testing.T) {
	l := Link{RTT: 100 * time.Millisecond, Jitter: 40 * time.Millisecond}
	lo, hi := 30*time.Millisecond, 70*time.Millisecond
	minSeen, maxSeen := time.Hour, time.Duration(0)
	for range 10000 {
		d := l.OneWay()
		if d < lo || d > hi {
			t.Fatalf("OneWay() = %v, want %v–%v", d, lo, hi)
		}
		minSeen, maxSeen = min(minSeen, d), max(maxSeen, d)
	}
	// The draws cover the range, not just its middle.
	if minSeen > lo+2*time.Millisecond || maxSeen < hi-2*time.Millisecond {
		t.Errorf("draws spanned %v–%v, want close to %v–%v", minSeen, maxSeen, lo, hi)
	}
	if d := (Link{RTT: 10 * time.Millisecond, Jitter: 10 * time.Millisecond}).OneWay(); d < 0 {
		t.Errorf("OneWay() = %v, negative", d)
	}
}

// TestJitterRoundTrips sends one message at a time: no round trip may be
// shorter than RTT − Jitter (the link never delivers early), and they must
// spread, or the jitter is not applied. The upper bound is checked on the
// delays themselves (TestJitterDelays): wall-clock maxima on a loaded
// machine say nothing about the link.
func TestJitterRoundTrips(t *testing.T) {
	t.Parallel()
	l := Link{RTT: 20 * time.Millisecond, Jitter: 10 * time.Millisecond}
	client, server := pair(t, l)
	go io.Copy(server, server) // echo
	buf := make([]byte, 1)
	var samples []time.Duration
	for range 30 {
		start := time.Now()
		if _, err := client.Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(client, buf); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	slices.Sort(samples)
	if lo := l.RTT - l.Jitter; samples[0] < lo {
		t.Errorf("round trip %v, below RTT − Jitter = %v", samples[0], lo)
	}
	if spread := samples[len(samples)*3/4] - samples[len(samples)/4]; spread < l.Jitter/8 {
		t.Errorf("round trips barely spread (%v between quartiles): jitter not applied (all: %v)", spread, samples)
	}
}

// TestJitterDelays checks the due time the link gives every chunk, in both
// directions: RTT/2 ± Jitter/2 after it was written or arrived. The RTT is
// long so that nothing is released while the test looks.
func TestJitterDelays(t *testing.T) {
	t.Parallel()
	l := Link{RTT: 20 * time.Second, Jitter: 8 * time.Second}
	lo, hi := l.RTT/2-l.Jitter/2, l.RTT/2+l.Jitter/2
	raw, server := pair(t, Link{}) // no connect RTT: wrap after dialing
	c := newConn(raw, l)
	client := net.Conn(c)
	defer client.Close()

	check := func(dir string, q *queue, before, after time.Time, want int) {
		t.Helper()
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.items) < want {
			t.Fatalf("%s: %d chunks queued, want %d", dir, len(q.items), want)
		}
		var early, late bool
		for _, it := range q.items {
			if it.due.Before(before.Add(lo)) || it.due.After(after.Add(hi)) {
				t.Errorf("%s: chunk due %v after the write, want %v–%v", dir, it.due.Sub(before), lo, hi)
			}
			early = early || it.due.Before(after.Add(l.RTT/2-l.Jitter/4))
			late = late || it.due.After(before.Add(l.RTT/2+l.Jitter/4))
		}
		if !early || !late {
			t.Errorf("%s: delays do not spread over RTT/2 ± Jitter/2 (early %v, late %v)", dir, early, late)
		}
	}

	const n = 50
	before := time.Now()
	for range n {
		if _, err := client.Write([]byte("out")); err != nil {
			t.Fatal(err)
		}
	}
	check("outbound", c.out, before, time.Now(), n)

	before = time.Now()
	for range n {
		if _, err := server.Write([]byte("in")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // separate arrivals, separate chunks
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.in.mu.Lock()
		got := c.in.size
		c.in.mu.Unlock()
		if got == 2*n || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	check("inbound", c.in, before, time.Now(), 10)
}

// TestLargeTransfer echoes 8 MiB through a connection delayed on both
// sides and checks every byte arrives, in order.
func TestLargeTransfer(t *testing.T) {
	t.Parallel()
	l := Link{RTT: 10 * time.Millisecond, Jitter: 4 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln = l.WrapListener(ln)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	client, err := l.Dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	want := make([]byte, 8<<20)
	rand.Read(want)
	go func() {
		// Odd-sized writes so that chunk boundaries fall anywhere.
		for b := want; len(b) > 0; {
			n := min(len(b), 12345)
			if _, err := client.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
		}
	}()
	client.SetReadDeadline(time.Now().Add(30 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(client, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for got[i] == want[i] {
			i++
		}
		t.Fatalf("data differs from byte %d on", i)
	}
}

func TestReadDeadline(t *testing.T) {
	t.Parallel()
	l := Link{RTT: 40 * time.Millisecond}
	client, server := pair(t, l)
	buf := make([]byte, 16)

	// A deadline ends a Read that has nothing to return.
	start := time.Now()
	client.SetReadDeadline(start.Add(50 * time.Millisecond))
	_, err := client.Read(buf)
	if !isTimeout(err) {
		t.Fatalf("Read err = %v, want a timeout", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("Read timed out after %v, before the deadline", d)
	}

	// Moving the deadline into the past wakes a blocked Read at once, as
	// net/http does to abort its background read.
	client.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() { _, err := client.Read(buf); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	client.SetReadDeadline(time.Unix(1, 0))
	select {
	case err := <-errc:
		if !isTimeout(err) {
			t.Fatalf("aborted Read err = %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read not woken by a past deadline")
	}

	// Data that has arrived is not returned while the deadline is past,
	// and is returned, intact, once it is cleared.
	if _, err := server.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(l.RTT)
	if _, err := client.Read(buf); !isTimeout(err) {
		t.Fatalf("Read with a past deadline err = %v, want a timeout", err)
	}
	client.SetReadDeadline(time.Time{})
	n, err := client.Read(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read = %q, %v; want hello", buf[:n], err)
	}
}

// TestWriteDeadline fills the connection while the peer does not read: Write
// must block once the queue is full and fail at the write deadline.
func TestWriteDeadline(t *testing.T) {
	t.Parallel()
	client, _ := pair(t, Link{RTT: 2 * time.Millisecond})
	client.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	chunk := make([]byte, 64<<10)
	for written := 0; written < 256<<20; written += len(chunk) {
		if _, err := client.Write(chunk); err != nil {
			if !isTimeout(err) {
				t.Fatalf("Write err = %v, want a timeout", err)
			}
			return
		}
	}
	t.Fatal("256 MiB written to a peer that does not read, without blocking")
}

// TestCloseFlushes writes and closes at once: Close must not block, and the
// peer must still receive every byte, after the link's delay, then EOF.
func TestCloseFlushes(t *testing.T) {
	t.Parallel()
	l := Link{RTT: 400 * time.Millisecond}
	client, server := pair(t, l)
	want := make([]byte, 1<<20)
	rand.Read(want)
	start := time.Now()
	if _, err := client.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	// Waiting for the flush would take RTT/2 at least.
	if d := time.Since(start); d >= l.RTT/2 {
		t.Errorf("Write+Close took %v, want no waiting for the link", d)
	}
	server.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(server)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < l.RTT/2 {
		t.Errorf("data arrived after %v, before the one-way delay %v", d, l.RTT/2)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("peer got %d bytes, want the %d written before Close", len(got), len(want))
	}

	// After Close every call fails with net.ErrClosed; Close twice too.
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := client.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if err := client.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

// TestCloseWakesRead: a Read blocked waiting for data returns when the conn
// is closed.
func TestCloseWakesRead(t *testing.T) {
	t.Parallel()
	client, _ := pair(t, Link{RTT: 20 * time.Millisecond})
	errc := make(chan error, 1)
	go func() { _, err := client.Read(make([]byte, 1)); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	client.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read err = %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read not woken by Close")
	}
}

// TestPeerCloseIsDelayed: the end of the stream crosses the link like data:
// what was sent before it arrives first, and EOF no earlier than RTT/2.
func TestPeerCloseIsDelayed(t *testing.T) {
	t.Parallel()
	l := Link{RTT: 100 * time.Millisecond}
	client, server := pair(t, l)
	start := time.Now()
	server.Write([]byte("bye"))
	server.Close()
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(client)
	if err != nil || string(got) != "bye" {
		t.Fatalf("ReadAll = %q, %v; want bye, nil (EOF)", got, err)
	}
	if d := time.Since(start); d < l.RTT/2 {
		t.Errorf("EOF after %v, before the one-way delay", d)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) && errors.As(err, &ne) && ne.Timeout()
}
