package edge

import "testing"

// BenchmarkWarmRequest measures what the emulator costs per request: a
// kept-alive viewer connection, a warm origin connection, no link latency.
func BenchmarkWarmRequest(b *testing.B) {
	l := newLab(b, newCA(b), Config{Hosts: 1})
	v := l.viewer(b, false, false, nil)
	b.ReportAllocs()
	for b.Loop() {
		v.get(b, "/")
	}
}

// BenchmarkColdRequest is a request on a new viewer connection to a host
// whose origin pool is emptied before each op: two TLS handshakes per op.
func BenchmarkColdRequest(b *testing.B) {
	l := newLab(b, newCA(b), Config{Hosts: 1})
	v := l.viewer(b, true, false, nil)
	b.ReportAllocs()
	for b.Loop() {
		l.pop.hosts[0].transport.CloseIdleConnections()
		v.get(b, "/")
	}
}
