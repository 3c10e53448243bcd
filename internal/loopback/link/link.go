package link

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/config"
)

// DialFunc is the signature of Link.Dial and Link.ConnectDial, the same as
// net.Dialer.DialContext and http.Transport.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Link is the latency between two places. The zero value adds no latency.
// A Link is a plain value, safe to copy and to use from many goroutines.
type Link struct {
	RTT    time.Duration // round-trip time
	Jitter time.Duration // each round trip takes RTT ± Jitter (uniform); at most RTT
}

// Validate reports a negative RTT or jitter, or a jitter larger than the RTT.
func (l Link) Validate() error {
	var p config.Problems
	if l.RTT < 0 {
		p.Add("RTT %v is negative", l.RTT)
	}
	if l.Jitter < 0 {
		p.Add("jitter %v is negative", l.Jitter)
	}
	if l.Jitter > l.RTT && l.RTT >= 0 {
		p.Add("jitter %v is larger than the RTT %v", l.Jitter, l.RTT)
	}
	return p.Err("link")
}

// IsZero reports whether the link adds no latency at all.
func (l Link) IsZero() bool { return l.RTT <= 0 && l.Jitter <= 0 }

// String formats the link as "RTT 190ms" or "RTT 190ms ±10ms".
func (l Link) String() string {
	if l.Jitter > 0 {
		return fmt.Sprintf("RTT %v ±%v", l.RTT, l.Jitter)
	}
	return fmt.Sprintf("RTT %v", l.RTT)
}

// OneWay draws the delay of one crossing: RTT/2 ± Jitter/2, never negative.
func (l Link) OneWay() time.Duration {
	d := l.RTT / 2
	if l.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(l.Jitter)+1)) - l.Jitter/2
	}
	return max(d, 0)
}

// roundTrip draws the delay of a round trip (two independent crossings).
func (l Link) roundTrip() time.Duration { return l.OneWay() + l.OneWay() }

// Dial connects like net.Dialer.DialContext, paying one round trip in the
// connect phase, and delays the connection's data RTT/2 each way. The server
// side must not add latency too.
func (l Link) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := l.ConnectDial(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return l.Wrap(c), nil
}

// ConnectDial connects like net.Dialer.DialContext, paying one round trip in
// the connect phase, and returns the connection unwrapped: for a client whose
// server delays the data (WrapListener).
//
// Errors are the dialer's own *net.OpError, which already name the operation
// and address; they are returned as they are so callers can inspect them.
func (l Link) ConnectDial(ctx context.Context, network, address string) (net.Conn, error) {
	d := net.Dialer{}
	if !l.IsZero() {
		d.ControlContext = l.control
	}
	return d.DialContext(ctx, network, address)
}

// control runs after the socket is created and before connect(2): the
// handshake's round trip is spent here so it falls in the connect phase.
func (l Link) control(ctx context.Context, _, _ string, _ syscall.RawConn) error {
	d := l.roundTrip()
	if d < spinBelow {
		if !spinUntil(time.Now().Add(d), ctx.Done()) {
			return ctx.Err()
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wrap delays c's data RTT/2 in each direction. A zero Link returns c itself.
func (l Link) Wrap(c net.Conn) net.Conn {
	if l.IsZero() {
		return c
	}
	return newConn(c, l)
}

// WrapListener returns a listener whose accepted connections delay data
// RTT/2 in each direction (server side). A zero Link returns ln itself.
func (l Link) WrapListener(ln net.Listener) net.Listener {
	if l.IsZero() {
		return ln
	}
	return &listener{Listener: ln, link: l}
}

type listener struct {
	net.Listener
	link Link
}

func (ln *listener) Accept() (net.Conn, error) {
	c, err := ln.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newConn(c, ln.link), nil
}
