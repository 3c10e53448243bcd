package edge

import (
	"net"
	"strconv"
	"testing"
)

func TestListenShared(t *testing.T) {
	lns, port, err := ListenShared([]string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i, ln := range lns {
		a := ln.Addr().(*net.TCPAddr)
		if a.Port != port || a.IP.String() != []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}[i] {
			t.Errorf("listener %d on %v, want port %d", i, a, port)
		}
	}
	// The same port asked again on a taken address fails, without retrying elsewhere.
	if _, _, err := ListenShared([]string{"127.0.0.5", "127.0.0.2"}, port); err == nil {
		t.Error("a taken port was accepted")
	}
	// And 127.0.0.5 was released again.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.5", strconv.Itoa(port)))
	if err != nil {
		t.Errorf("the failed attempt kept 127.0.0.5:%d: %v", port, err)
	} else {
		ln.Close()
	}
	if _, p, err := ListenShared(nil, 0); err != nil || p == 0 {
		t.Errorf("no address: port %d, %v", p, err)
	}
}
