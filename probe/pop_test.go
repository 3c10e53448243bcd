package probe

import "testing"

func TestDNSServerAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1:53", "127.0.0.1:5353": "127.0.0.1:5353", "[::1]": "[::1]:53", "::1": "[::1]:53",
		"127.0.0.1:99999": "", ":53": "", "a b:53": "",
	} {
		got, err := DNSServerAddr(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("DNSServerAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
