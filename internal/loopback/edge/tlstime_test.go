package edge

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
)

// TLSTime is spent on every viewer TLS handshake, inside the handshake:
// the TLS phase a client measures grows by it, the TCP connect does not.
//
// Every handshake with TLSTime takes at least TLSTime (the POP waits it
// out), whatever the load. What a busy machine can slow is any one
// connect or handshake, so the other bounds are on the fastest of a few
// tries, and against a POP without TLSTime measured in the same run: the
// delay, were it in the connect, would be in every connect; the no-delay
// POP's fastest handshake shows the delay comes from TLSTime.
func TestTLSTimeDelaysTheHandshake(t *testing.T) {
	ca, err := labca.New()
	if err != nil {
		t.Fatal(err)
	}
	const tlsTime, tries = 60 * time.Millisecond, 3
	// measure returns the fastest connect and handshake of tries, and checks every handshake against atLeast.
	measure := func(addr string, atLeast time.Duration) (connect, handshake time.Duration) {
		connect, handshake = time.Hour, time.Hour
		for range tries {
			start := time.Now()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			connected := time.Since(start)
			tc := tls.Client(c, &tls.Config{ServerName: testDist, RootCAs: ca.Pool()})
			hs := time.Now()
			err = tc.Handshake()
			took := time.Since(hs)
			tc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if took < atLeast {
				t.Errorf("a handshake took %v, want at least %v", took, atLeast)
			}
			connect, handshake = min(connect, connected), min(handshake, took)
		}
		return connect, handshake
	}
	plain := newLab(t, ca, Config{})
	_, plainHS := measure(plain.addr, 0)
	l := newLab(t, ca, Config{TLSTime: tlsTime})
	connect, _ := measure(l.addr, tlsTime)
	if connect >= tlsTime/2 {
		t.Errorf("fastest connect %v with TLSTime %v: the delay is in the connect", connect, tlsTime)
	}
	if plainHS >= tlsTime {
		t.Errorf("fastest handshake without TLSTime %v: want below %v", plainHS, tlsTime)
	}
	if n := l.pop.Stats().TLSHandshakes; n != tries {
		t.Errorf("%d handshakes counted, want %d", n, tries)
	}
	if err := (Config{POP: testPOP, TLSTime: -time.Second}).Validate(); err == nil {
		t.Error("a negative TLSTime validated")
	}
}
