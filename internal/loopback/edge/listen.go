package edge

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// ListenShared listens on every address (an IP, no port) on one common
// port, as POPs do on 443: port, or when it is 0 a free one, retried with
// another when one address has it taken already. With no address it only
// picks a port nothing on 127.0.0.1 uses.
func ListenShared(addrs []string, port int) ([]net.Listener, int, error) {
	if len(addrs) == 0 && port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, 0, fmt.Errorf("edge: listen: %w", err)
		}
		defer ln.Close()
		return nil, ln.Addr().(*net.TCPAddr).Port, nil
	}
	var lastErr error
	for range 20 {
		lns, p, err := listenAll(addrs, port)
		if err == nil {
			return lns, p, nil
		}
		lastErr = err
		if port != 0 || !errors.Is(err, syscall.EADDRINUSE) {
			break // the port was asked for, or the failure is not a taken port
		}
	}
	return nil, 0, fmt.Errorf("edge: no common port for %d addresses: %w", len(addrs), lastErr)
}

// listenAll makes one attempt; on failure it closes what it opened.
func listenAll(addrs []string, port int) ([]net.Listener, int, error) {
	var lns []net.Listener
	for _, a := range addrs {
		ln, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(port)))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, 0, err
		}
		if port == 0 {
			port = ln.Addr().(*net.TCPAddr).Port
		}
		lns = append(lns, ln)
	}
	return lns, port, nil
}
