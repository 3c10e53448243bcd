package origin

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// connLimit caps the open client connections: the listener takes a slot
// before each Accept and a connection gives it back when it closes. With
// every slot taken, Accept waits, so new connections wait in the kernel's
// accept queue (their connect succeeds, their request waits) and are
// refused by the kernel once that queue is full.
type connLimit struct {
	max     int
	slots   chan struct{}
	reached atomic.Uint64 // times Accept found every slot taken
}

func newConnLimit(max int) *connLimit {
	return &connLimit{max: max, slots: make(chan struct{}, max)}
}

func (l *connLimit) snapshot(st *Stats) {
	st.ConnectionLimit = l.max
	st.ConnectionLimitReached = l.reached.Load()
}

// listener is the server's view of its listening socket: it enforces the
// connection cap and, at the end of the drain, closes quietly (see
// quieten).
type listener struct {
	net.Listener
	limit *connLimit
	tcp   *net.TCPListener // nil: quieten is not possible

	closed    chan struct{}
	closeOnce sync.Once

	// quieting is set by quieten; only the accepting goroutine uses the
	// fields below (acceptQuietly).
	quieting    atomic.Bool
	quiet       chan struct{} // closed once no new connection can complete
	plug        net.Conn
	backlogZero bool
}

func newListener(ln net.Listener, limit *connLimit) *listener {
	l := &listener{Listener: ln, limit: limit, closed: make(chan struct{}), quiet: make(chan struct{})}
	if tl, ok := ln.(*net.TCPListener); ok && quietSupported {
		l.tcp = tl
	}
	return l
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case l.limit.slots <- struct{}{}:
	default:
		l.limit.reached.Add(1)
		select {
		case l.limit.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil && l.quieting.Load() && errors.Is(err, os.ErrDeadlineExceeded) {
		c, err = l.acceptQuietly()
	}
	if err != nil {
		<-l.limit.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.limit.slots }}, nil
}

func (l *listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// quieten stops new connections from completing without closing the
// listener, and returns a channel closed once that is so: closing a
// listening socket resets the connections the kernel has completed but
// the server has not accepted, whose clients saw their connect succeed.
// Nothing happens (the channel is nil) where quieting is not supported.
func (l *listener) quieten() <-chan struct{} {
	if l.tcp == nil || !l.quieting.CompareAndSwap(false, true) {
		return nil
	}
	// Wake the accepting goroutine, blocked in Accept, into acceptQuietly.
	l.tcp.SetDeadline(time.Now())
	return l.quiet
}

// acceptQuietly is Accept once quieten was called, on the accepting
// goroutine. It shrinks the accept queue to one connection (listen backlog
// 0: while a connection is queued the kernel drops new SYNs, and the
// client's retry meets the closed port and is refused), accepts what is
// queued, and, when the queue is empty, queues a connection of its own,
// the plug, which it never accepts: from then on no client's connection
// completes. It returns the clients' connections one at a time, then, once
// quiet, waits for Close.
//
// What remains: a client whose handshake overlaps the plug's (its SYN
// answered while the queue was empty, its final ACK arriving once the plug
// filled it) believes it is connected, but the kernel dropped that ACK;
// closing the listener resets it. The server never accepted it, as with a
// refused connection; on loopback the overlap is a few microseconds.
func (l *listener) acceptQuietly() (net.Conn, error) {
	if !l.backlogZero {
		if err := setBacklogZero(l.tcp); err != nil {
			<-l.closed
			return nil, net.ErrClosed
		}
		l.backlogZero = true
	}
	for {
		select {
		case <-l.closed:
			if l.plug != nil {
				l.plug.Close()
			}
			return nil, net.ErrClosed
		default:
		}
		if l.plug != nil {
			close(l.quiet)
			<-l.closed
			l.plug.Close()
			return nil, net.ErrClosed
		}
		if n, err := acceptQueueLen(l.tcp); err != nil || n > 0 {
			if c, err := l.acceptWithin(10 * time.Millisecond); c != nil || err != nil {
				return c, err
			}
			continue
		}
		l.plugIn()
	}
}

// plugIn dials the listener and waits until that connection is queued. If
// a client's connection completes first, the queue is full, the plug's SYN
// is dropped and the dial times out: that client is accepted next.
func (l *listener) plugIn() {
	plug, err := net.DialTimeout("tcp", l.tcp.Addr().String(), 20*time.Millisecond)
	if err != nil {
		return
	}
	for range 100 {
		if n, err := acceptQueueLen(l.tcp); err != nil || n > 0 {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	l.plug = plug
}

// acceptWithin accepts one queued connection, or returns nil, nil when
// none comes within d.
func (l *listener) acceptWithin(d time.Duration) (net.Conn, error) {
	l.tcp.SetDeadline(time.Now().Add(d))
	c, err := l.tcp.Accept()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, nil
	}
	return c, err
}

// limitConn gives its slot back on the first Close.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite lets net/http half-close a TCP connection after a response
// with "Connection: close" (so that the client reads it whole rather than
// a reset), as it does on an unwrapped *net.TCPConn.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
