package warm_test

import (
	"crypto/tls"
	"net/netip"
	"testing"

	"github.com/cfprewarm/cfprewarm/warm"
)

func TestParseTLSVersion(t *testing.T) {
	for s, want := range map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13, " 1.3 ": tls.VersionTLS13} {
		if v, err := warm.ParseTLSVersion(s); err != nil || v != want {
			t.Errorf("ParseTLSVersion(%q) = %#x, %v; want %#x", s, v, err, want)
		}
	}
	for _, s := range []string{"", "1.1", "1.0", "TLS1.3", "13", "1.2.0"} {
		if v, err := warm.ParseTLSVersion(s); err == nil {
			t.Errorf("ParseTLSVersion(%q) = %#x, want an error", s, v)
		}
	}
}

// A client subnet is the network it names: a prefix with host bits is
// masked, so the CLI, the Lambda's environment and its event agree on it;
// a bare address is a network of one.
func TestParseClientSubnet(t *testing.T) {
	for s, want := range map[string]string{
		"198.51.100.0/24":  "198.51.100.0/24",
		"198.51.100.7/24":  "198.51.100.0/24",
		" 203.0.113.9 ":    "203.0.113.9/32",
		"2001:db8::1/48":   "2001:db8::/48",
		"2001:db8::1":      "2001:db8::1/128",
		"198.51.100.7/32":  "198.51.100.7/32",
		"198.51.100.255/0": "0.0.0.0/0",
	} {
		p, err := warm.ParseClientSubnet(s)
		if err != nil || p.String() != want {
			t.Errorf("ParseClientSubnet(%q) = %v, %v; want %s", s, p, err, want)
		}
	}
	for _, s := range []string{"", "198.51.100.0/33", "198.51.100", "example.com", "fe80::1%eth0", "198.51.100.0/24/8"} {
		if p, err := warm.ParseClientSubnet(s); err == nil {
			t.Errorf("ParseClientSubnet(%q) = %v, want an error", s, p)
		}
	}
}

// Whatever parses is a valid, masked prefix that reads back as itself.
func FuzzParseClientSubnet(f *testing.F) {
	for _, s := range []string{"198.51.100.7/24", "203.0.113.9", "2001:db8::1/48", "::ffff:1.2.3.4/120", "1.2.3.4/40", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := warm.ParseClientSubnet(s)
		if err != nil {
			return
		}
		if !p.IsValid() || p != p.Masked() {
			t.Fatalf("ParseClientSubnet(%q) = %v: not a valid masked prefix", s, p)
		}
		back, err := warm.ParseClientSubnet(p.String())
		if err != nil || back != p {
			t.Fatalf("ParseClientSubnet(%q) = %v, read back as %v, %v", s, p, back, err)
		}
		if _, err := netip.ParsePrefix(p.String()); err != nil {
			t.Fatalf("%v does not read as a prefix: %v", p, err)
		}
	})
}
