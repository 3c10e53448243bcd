package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

// A server that answers each query with addresses of both families (as a
// careless resolver may, e.g. after a CNAME): LookupSubnet keeps only the
// records of the type it asked for, so -4 never yields an IPv6 address and
// -6 never an IPv4 one (nor an IPv4-mapped AAAA).
func TestLookupSubnetKeepsTheQueriedType(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) }, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		name := r.Question[0].Name
		for _, rr := range []string{name + " 60 IN A 127.0.0.3", name + " 60 IN AAAA ::1", name + " 60 IN AAAA ::ffff:127.0.0.4"} {
			a, err := dns.NewRR(rr)
			if err != nil {
				t.Error(err)
				return
			}
			m.Answer = append(m.Answer, a)
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	<-started
	defer srv.Shutdown()
	subnet := netip.MustParsePrefix("198.51.100.0/24")
	for ipv, want := range map[int]string{4: "[127.0.0.3]", 6: "[::1]", 0: "[127.0.0.3 ::1]"} {
		got, err := LookupSubnet(context.Background(), pc.LocalAddr().String(), "d111.cloudfront.net", subnet, ipv)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("IPv%d: %v, %v; want %s", ipv, got, err, want)
		}
	}
}
