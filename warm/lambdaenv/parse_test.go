package lambdaenv

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
)

const testDist = "d111111abcdef8.cloudfront.net"

// getenv looks variables up in a minimal valid environment plus env.
func getenv(env map[string]string) func(string) string {
	base := map[string]string{VarDistribution: testDist, VarPOPs: "HKG54-C1,FRA56-P3"}
	for k, v := range env {
		base[k] = v
	}
	return func(k string) string { return base[k] }
}

// configureWith runs Configure over a minimal valid environment plus env.
func configureWith(t *testing.T, env map[string]string, payload string) (Settings, error) {
	t.Helper()
	return Configure(getenv(env), []byte(payload))
}

// The ceiling is the configuration a run without an event would use: the
// environment with the Lambda's and warm's own defaults, not a second copy
// of them.
func TestCeilingIsTheDefaultedEnvironment(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{VarRequestsPerPOP: "auto"},
		{VarRequestsPerPOP: "7", VarWaves: "2", VarConcurrency: "9", VarRequestTimeout: "3s", VarPOPs: "hkg54-c1"},
	} {
		s, err := configureWith(t, env, "")
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		r, err := warm.NewRunner(s.Config)
		if err != nil {
			t.Fatal(err)
		}
		run := r.Config()
		cl := ceilingOf(s.Config)
		perPOP := run.RequestsPerPOP
		if run.Auto {
			perPOP = run.MaxRequests
		}
		if cl.requests != perPOP || cl.waves != run.Waves || cl.concurrency != run.Concurrency || cl.timeout != run.Timeout ||
			fmt.Sprint(cl.pops) != fmt.Sprint(run.POPs) {
			t.Errorf("%v: ceiling %+v, want what the run uses: %d requests per POP, %d waves, concurrency %d, timeout %v, POPs %v",
				env, cl, perPOP, run.Waves, run.Concurrency, run.Timeout, run.POPs)
		}
		if len(env) == 0 && (run.Waves != 3 || run.WaveInterval != 44*time.Second || run.Timeout != warm.DefaultTimeout) {
			t.Errorf("defaults: %d waves %v apart, request timeout %v; want 3 waves 44 s apart and warm's %v", run.Waves, run.WaveInterval, run.Timeout, warm.DefaultTimeout)
		}
	}
}

// CLIENT_SUBNETS and the event's clientSubnets read subnets as the CLI
// does (warm.ParseClientSubnet): masked, so a prefix written with host bits
// is the same network on both sides; a bare address is a network of one.
func TestClientSubnetsAreMasked(t *testing.T) {
	env := map[string]string{VarClientSubnets: "198.51.100.0/24, 203.0.113.9, 192.0.2.77/24"}
	s, err := configureWith(t, env, `{"clientSubnets":["198.51.100.7/24","203.0.113.9/32","192.0.2.0/24"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.Config.ClientSubnets); got != "[198.51.100.0/24 203.0.113.9/32 192.0.2.0/24]" {
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
	if _, err := configureWith(t, map[string]string{VarClientSubnets: "a.b.c.d/24"}, ""); err == nil ||
		!strings.Contains(err.Error(), `CLIENT_SUBNETS "a.b.c.d/24": want a CIDR prefix such as 198.51.100.0/24`) {
		t.Errorf("bad CLIENT_SUBNETS: %v", err)
	}
	if _, err := configureWith(t, map[string]string{VarTLSVersion: "1.1"}, ""); err == nil ||
		!strings.Contains(err.Error(), `TLS_VERSION "1.1": want 1.2 or 1.3`) {
		t.Errorf("bad TLS_VERSION: %v", err)
	}
}

// An event that switches an adaptive environment to a fixed count turns
// adapt off with auto (and the rest of auto's settings); asking for adapt
// with a fixed count stays an error.
func TestFixedCountEventTurnsAdaptOff(t *testing.T) {
	env := map[string]string{VarRequestsPerPOP: "auto", VarAdapt: "true", VarCoverage: "0.9", VarHostsFile: "hosts.json"}
	s, err := configureWith(t, env, `{"requestsPerPop":10}`)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Config; c.Auto || c.Adapt || c.RequestsPerPOP != 10 || c.Coverage != 0 || s.HostsFile != "" {
		t.Errorf("auto %v adapt %v requests %d coverage %v hosts file %q, want a fixed 10 without auto's settings",
			c.Auto, c.Adapt, c.RequestsPerPOP, c.Coverage, s.HostsFile)
	}
	if _, err := configureWith(t, env, `{"requestsPerPop":10,"adapt":true}`); err == nil ||
		!strings.Contains(err.Error(), `event field "adapt": needs automatic requests per POP`) {
		t.Errorf("adapt with a fixed count: %v", err)
	}
}

// The settings only automatic sizing reads are refused with a fixed
// REQUESTS_PER_POP (they would be ignored), as the CLI refuses its flags.
func TestEnvironmentNeedsAuto(t *testing.T) {
	env := map[string]string{VarRequestsPerPOP: "20", VarCoverage: "0.9", VarMaxRequests: "40", VarHostsFile: "h.json"}
	_, err := configureWith(t, env, "")
	for _, want := range []string{"COVERAGE: needs automatic requests per POP (REQUESTS_PER_POP=auto)", "MAX_REQUESTS: needs", "HOSTS_FILE: needs"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want it to say %q", err, want)
		}
	}
	env[VarRequestsPerPOP] = "auto"
	if _, err := configureWith(t, env, ""); err != nil {
		t.Errorf("with auto: %v", err)
	}
}

// Defaults that hold: with WAVES, WAVE_INTERVAL and PERIOD unset, neither
// the plain-rule waves nor the aligned grid leaves a gap over the
// keep-alive less 2 s under EventBridge's lateness, for every keep-alive
// CloudFront takes, until the plain rule would need more waves than a run
// may have (a keep-alive under 5 s).
func TestDefaultsHold(t *testing.T) {
	for k := 5 * time.Second; k <= 180*time.Second; k += time.Second {
		s, err := configureWith(t, map[string]string{VarKeepAlive: FormatDuration(k)}, "")
		if err != nil {
			t.Fatalf("KEEPALIVE %v: %v", k, err)
		}
		for _, o := range []schedule.Option{PlainRule(s.Config), s.Aligned()} {
			if !o.Holds(k, schedule.DefaultMargin) {
				t.Errorf("KEEPALIVE %v: %v leaves gaps up to %v", k, o, o.MaxGap())
			}
		}
	}
	s, err := configureWith(t, map[string]string{VarKeepAlive: "3s"}, "")
	if err != nil || s.Config.Waves != warm.MaxWaves {
		t.Errorf("KEEPALIVE 3s: %v, %d waves; want the most a run may have", err, s.Config.Waves)
	}
}
