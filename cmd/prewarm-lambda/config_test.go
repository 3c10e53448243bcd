package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/warm"
)

// configureWith runs configure over a minimal valid environment plus env.
func configureWith(t *testing.T, env map[string]string, payload string) (settings, error) {
	t.Helper()
	base := map[string]string{"DISTRIBUTION_DOMAIN": testDist, "POPS": "HKG54-C1,FRA56-P3"}
	for k, v := range env {
		base[k] = v
	}
	return configure(func(k string) string { return base[k] }, []byte(payload))
}

// The ceiling is the configuration a run without an event would use: the
// environment with warm's own defaults (warm.Config.WithDefaults), not a
// second copy of them.
func TestCeilingIsTheDefaultedEnvironment(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{"REQUESTS_PER_POP": "auto"},
		{"REQUESTS_PER_POP": "7", "WAVES": "2", "CONCURRENCY": "9", "REQUEST_TIMEOUT": "3s", "POPS": "hkg54-c1"},
	} {
		s, err := configureWith(t, env, "")
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		r, err := warm.NewRunner(s.cfg)
		if err != nil {
			t.Fatal(err)
		}
		run := r.Config()
		cl := ceilingOf(s.cfg)
		perPOP := run.RequestsPerPOP
		if run.Auto {
			perPOP = run.MaxRequests
		}
		if cl.requests != perPOP || cl.waves != run.Waves || cl.concurrency != run.Concurrency || cl.timeout != run.Timeout ||
			fmt.Sprint(cl.pops) != fmt.Sprint(run.POPs) {
			t.Errorf("%v: ceiling %+v, want what the run uses: %d requests per POP, %d waves, concurrency %d, timeout %v, POPs %v",
				env, cl, perPOP, run.Waves, run.Concurrency, run.Timeout, run.POPs)
		}
	}
}

// CLIENT_SUBNETS and the event's clientSubnets read subnets as the CLI
// does (warm.ParseClientSubnet): masked, so a prefix written with host bits
// is the same network on both sides; a bare address is a network of one.
func TestClientSubnetsAreMasked(t *testing.T) {
	env := map[string]string{"CLIENT_SUBNETS": "198.51.100.0/24, 203.0.113.9, 192.0.2.77/24"}
	s, err := configureWith(t, env, `{"clientSubnets":["198.51.100.7/24","203.0.113.9/32","192.0.2.0/24"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.cfg.ClientSubnets); got != "[198.51.100.0/24 203.0.113.9/32 192.0.2.0/24]" {
		t.Errorf("client subnets %s", got)
	}
	for payload, want := range map[string]string{
		`{"clientSubnets":["198.51.101.0/24"]}`: `event field "clientSubnets": 198.51.101.0/24 is not among the environment's CLIENT_SUBNETS`,
		`{"clientSubnets":["198.51.100.0/33"]}`: `event field "clientSubnets": "198.51.100.0/33": want a CIDR prefix`,
	} {
		if _, err := configureWith(t, env, payload); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", payload, err, want)
		}
	}
	if _, err := configureWith(t, map[string]string{"CLIENT_SUBNETS": "a.b.c.d/24"}, ""); err == nil ||
		!strings.Contains(err.Error(), `CLIENT_SUBNETS "a.b.c.d/24": want a CIDR prefix such as 198.51.100.0/24`) {
		t.Errorf("bad CLIENT_SUBNETS: %v", err)
	}
	if _, err := configureWith(t, map[string]string{"TLS_VERSION": "1.1"}, ""); err == nil ||
		!strings.Contains(err.Error(), `TLS_VERSION "1.1": want 1.2 or 1.3`) {
		t.Errorf("bad TLS_VERSION: %v", err)
	}
}

// An event that switches an adaptive environment to a fixed count turns
// adapt off with auto; asking for adapt with a fixed count stays an error.
func TestFixedCountEventTurnsAdaptOff(t *testing.T) {
	env := map[string]string{"REQUESTS_PER_POP": "auto", "ADAPT": "true"}
	s, err := configureWith(t, env, `{"requestsPerPop":10}`)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.cfg; c.Auto || c.Adapt || c.RequestsPerPOP != 10 {
		t.Errorf("auto %v adapt %v requests %d, want a fixed 10 without adapt", c.Auto, c.Adapt, c.RequestsPerPOP)
	}
	if _, err := configureWith(t, env, `{"requestsPerPop":10,"adapt":true}`); err == nil ||
		!strings.Contains(err.Error(), `event field "adapt": needs automatic requests per POP`) {
		t.Errorf("adapt with a fixed count: %v", err)
	}
}
