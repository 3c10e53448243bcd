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
func TestTLSTimeDelaysTheHandshake(t *testing.T) {
	ca, err := labca.New()
	if err != nil {
		t.Fatal(err)
	}
	const tlsTime = 40 * time.Millisecond
	l := newLab(t, ca, Config{TLSTime: tlsTime})
	for range 2 {
		start := time.Now()
		c, err := net.Dial("tcp", l.addr)
		if err != nil {
			t.Fatal(err)
		}
		connected := time.Since(start)
		tc := tls.Client(c, &tls.Config{ServerName: testDist, RootCAs: ca.Pool()})
		hs := time.Now()
		err = tc.Handshake()
		handshake := time.Since(hs)
		tc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if handshake < tlsTime || connected > tlsTime/2 {
			t.Errorf("connect %v, handshake %v: want the handshake, and only it, to take at least %v", connected, handshake, tlsTime)
		}
	}
	if n := l.pop.Stats().TLSHandshakes; n != 2 {
		t.Errorf("%d handshakes counted, want 2", n)
	}
	if err := (Config{POP: testPOP, TLSTime: -time.Second}).Validate(); err == nil {
		t.Error("a negative TLSTime validated")
	}
}
