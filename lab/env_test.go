package lab

import (
	"context"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"net/netip"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/probe"
)

// fastProfile keeps round trips short so environment tests run quickly.
var fastProfile = Profile{
	Name: "test", ViewerPOP: "HKG62-C1", OtherPOPs: []string{"NRT57-P2"},
	ViewerLink: link.Link{RTT: 2 * time.Millisecond}, OriginLink: link.Link{RTT: 20 * time.Millisecond},
}

func TestEnvDNSAndPOPs(t *testing.T) {
	env, err := Start(context.Background(), EnvConfig{Profile: fastProfile, Hosts: 2, KeepAlive: time.Second, OriginIdle: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	res := probe.NewResolver(env.DNSAddr)
	for name, want := range map[string]netip.Addr{
		Distribution:                             env.POPAddr("HKG62-C1"),
		CustomHost:                               env.POPAddr("HKG62-C1"),
		"d111111abcdef8.HKG62-C1.cloudfront.net": env.POPAddr("HKG62-C1"),
		"d111111abcdef8.nrt57-p2.cloudfront.net": env.POPAddr("NRT57-P2"),
	} {
		got, err := res.LookupNetIP(context.Background(), "ip4", name)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("%s → %v %v, want %v", name, got, err, want)
		}
	}
	if env.POPAddr("HKG62-C1") == env.POPAddr("NRT57-P2") || !env.POPAddr("NRT57-P2").IsLoopback() {
		t.Errorf("POP addresses %v and %v: want distinct loopback addresses", env.POPAddr("HKG62-C1"), env.POPAddr("NRT57-P2"))
	}
	if _, err := res.LookupNetIP(context.Background(), "ip4", "d111111abcdef8.XXX99-Z9.cloudfront.net"); err == nil {
		t.Error("an unknown POP name resolved")
	}
}

// TestEnvKeepAliveThroughProbe drives the environment as a viewer would:
// a second probe within the keep-alive finds the origin connection warm
// (one host, so it cannot land elsewhere), one after it finds it cold.
func TestEnvKeepAliveThroughProbe(t *testing.T) {
	const keepAlive = 300 * time.Millisecond
	env, err := Start(context.Background(), EnvConfig{Profile: fastProfile, Hosts: 1, KeepAlive: keepAlive, OriginIdle: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	p, err := probe.NewProber(env.ProbeConfig())
	if err != nil {
		t.Fatal(err)
	}
	first := p.Probe(context.Background(), 1)
	second := p.Probe(context.Background(), 2)
	time.Sleep(keepAlive + 200*time.Millisecond)
	third := p.Probe(context.Background(), 3)
	for i, tc := range []struct {
		r    probe.Result
		want cloudfront.OriginConn
	}{{first, cloudfront.OriginCold}, {second, cloudfront.OriginWarm}, {third, cloudfront.OriginCold}} {
		if !tc.r.OK() || tc.r.Origin != tc.want || tc.r.CloudFront.POP != "HKG62-C1" {
			t.Errorf("probe %d: origin %v pop %q err %q, want %v", i+1, tc.r.Origin, tc.r.CloudFront.POP, tc.r.Error, tc.want)
		}
	}
	if st := env.Origin.Stats(); st.ConnectionsAccepted != 2 {
		t.Errorf("origin accepted %d connections, want 2 (the keep-alive expired once)", st.ConnectionsAccepted)
	}
	// The viewer's connect costs one viewer round trip.
	if c := third.Timings.Phases().TCP; c < fastProfile.ViewerLink.RTT {
		t.Errorf("connect %v shorter than the viewer RTT", c)
	}
}
