package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
)

// NewResolver returns the system resolver for server "" and otherwise a pure
// Go resolver that sends every query to server (host:port; ":53" is added
// when the port is missing).
func NewResolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	if addr, err := DNSServerAddr(server); err == nil {
		server = addr
	}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
}

// NameServer makes a DNS error name the server that was asked. A resolver
// from NewResolver sends every query to its server, but the *net.DNSError
// of a failed lookup names the system's resolver (from resolv.conf), which
// was never asked: "lookup x on 10.0.0.2:53: no such host". NameServer
// returns a copy naming server (as host:port) instead. With server "" (the
// system resolver) or an error that is not a DNS error, err is returned as
// it is.
func NameServer(err error, server string) error {
	var dnsErr *net.DNSError
	if server == "" || !errors.As(err, &dnsErr) {
		return err
	}
	if addr, aerr := DNSServerAddr(server); aerr == nil {
		server = addr
	}
	c := *dnsErr
	c.Server = server
	return &c
}

// DNSServerAddr checks a resolver address given as host[:port] and returns
// it as host:port, with port 53 when none is given.
func DNSServerAddr(s string) (string, error) {
	if _, _, err := net.SplitHostPort(s); err != nil {
		s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || strings.ContainsAny(host, "/ ") || !validPort(port) {
		return "", fmt.Errorf("DNS server %q: want host[:port], e.g. 127.0.0.1:5353", s)
	}
	return s, nil
}

// LoadRootCAs returns the system roots plus the certificates in the PEM file
// (file "" returns nil, which means the system roots to crypto/tls).
func LoadRootCAs(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificates found", file)
	}
	return pool, nil
}

// resolveRule is one --resolve entry: host:port:addr[,addr...].
type resolveRule struct {
	host  string
	port  string
	addrs []netip.Addr
}

// parseResolve parses curl's --resolve syntax. IPv6 addresses may be
// bracketed: example.com:443:[::1].
func parseResolve(s string) (resolveRule, error) {
	host, rest, ok := strings.Cut(s, ":")
	if !ok {
		return resolveRule{}, fmt.Errorf("--resolve %q: want host:port:addr", s)
	}
	port, addrs, ok := strings.Cut(rest, ":")
	if !ok || host == "" || !validPort(port) {
		return resolveRule{}, fmt.Errorf("--resolve %q: want host:port:addr", s)
	}
	r := resolveRule{host: strings.ToLower(host), port: port}
	for _, a := range strings.Split(addrs, ",") {
		ip, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(a), "[]"))
		if err != nil {
			return resolveRule{}, fmt.Errorf("--resolve %q: %q is not an IP address", s, a)
		}
		r.addrs = append(r.addrs, ip)
	}
	return r, nil
}

// connectRule is one --connect-to entry: host:port:connect-host:connect-port,
// where an empty host or port matches any and an empty target part keeps the
// original.
type connectRule struct {
	host, port     string
	toHost, toPort string
}

func parseConnectTo(s string) (connectRule, error) {
	parts, err := splitHostPorts(s)
	if err != nil || len(parts) != 4 {
		return connectRule{}, fmt.Errorf("--connect-to %q: want host:port:connect-host:connect-port", s)
	}
	r := connectRule{host: strings.ToLower(parts[0]), port: parts[1], toHost: parts[2], toPort: parts[3]}
	for _, p := range []string{r.port, r.toPort} {
		if p != "" && !validPort(p) {
			return connectRule{}, fmt.Errorf("--connect-to %q: bad port %q", s, p)
		}
	}
	return r, nil
}

// splitHostPorts splits on ':' outside of [...] brackets and strips brackets.
func splitHostPorts(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth == 0 {
				parts = append(parts, strings.Trim(s[start:i], "[]"))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, errors.New("unbalanced brackets")
	}
	return append(parts, strings.Trim(s[start:], "[]")), nil
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n > 0 && n < 65536
}
