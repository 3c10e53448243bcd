package lambdaenv

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
)

// Bad events and environments fail with a message naming every problem.
// (The handler's test checks, with POPs on loopback, that such a
// configuration sends nothing.)
func TestBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		payload string
		want    []string
	}{
		{name: "unknown field", payload: `{"pop":["HKG54-C1"]}`,
			want: []string{`event: unknown field "pop" (the fields are distributionDomain, host, path`}},
		// The host identity header is the environment's: an event may not set it.
		{name: "host id header in the event", payload: `{"hostIdHeader":"X-A"}`, want: []string{`event: unknown field "hostIdHeader"`}},
		{name: "host id header not a header name", env: map[string]string{VarHostIDHeader: "X Edge: ip"},
			want: []string{`HOST_ID_HEADER "X Edge: ip": want a header name such as X-Cfprewarm-Edge-Server-Ip`}},
		{name: "PATH is not the path", payload: `{"PATH":"/x"}`, want: []string{`unknown field "PATH"`}},
		{name: "wrong type", payload: `{"requestsPerPop":"ten"}`, want: []string{`event field "requestsPerPop": want a number or "auto", got "ten"`}},
		{name: "wrong type of a number", payload: `{"waves":"two"}`, want: []string{`event field "waves": want a number, got a JSON string`}},
		{name: "pops as a string", payload: `{"pops":"HKG54-C1"}`, want: []string{`event field "pops": want a list of strings`}},
		{name: "not JSON", payload: `pops=HKG54-C1`, want: []string{"event: want a JSON object of overrides"}},
		{name: "array", payload: `["HKG54-C1"]`, want: []string{"event: want a JSON object"}},
		{name: "trailing data", payload: `{"waves":1} {"waves":2}`, want: []string{"event: want a JSON object"}},
		{name: "duration as number", payload: `{"waveInterval":20}`, want: []string{`event field "waveInterval": want a string`}},
		{name: "bad duration", payload: `{"requestTimeout":"ten seconds"}`, want: []string{`event field "requestTimeout": want a duration such as "20s", got "ten seconds"`}},
		{name: "interval not below keep-alive", env: map[string]string{VarWaves: "3"}, payload: `{"waveInterval":"60s"}`,
			want: []string{"wave interval 1m0s: must be shorter than the CloudFront origin keep-alive 1m0s"}},
		{name: "POP not in the environment", payload: `{"pops":["HKG54"]}`, want: []string{`event field "pops": HKG54 is not among the environment's POPS (HKG54-C1,FRA56-P3)`}},
		{name: "EventBridge detail with unknown field", payload: `{"detail-type":"x","source":"y","detail":{"bucket":"b"}}`,
			want: []string{`unknown field "bucket"`}},
		// The environment is the ceiling: an event asking for more, for another
		// target or for 0 is refused, naming the field; so is a 0 in the environment.
		{name: "more requests", env: map[string]string{VarRequestsPerPOP: "5"}, payload: `{"requestsPerPop":6}`,
			want: []string{`event field "requestsPerPop": 6 is more than the environment allows (REQUESTS_PER_POP 5)`}},
		{name: "more waves", env: map[string]string{VarWaves: "1"}, payload: `{"waves":2}`,
			want: []string{`event field "waves": 2 is more than the environment allows (WAVES 1)`}},
		{name: "more waves than the Lambda's default", payload: `{"waves":4}`,
			want: []string{`event field "waves": 4 is more than the environment allows (WAVES 3)`}},
		{name: "more concurrency", payload: `{"concurrency":121}`, want: []string{`event field "concurrency": 121 is more than the environment allows (CONCURRENCY 120)`}},
		{name: "another POP", payload: `{"pops":["HKG54-C1","NRT57-P2"]}`, want: []string{`event field "pops": NRT57-P2 is not among the environment's POPS`}},
		{name: "longer timeout", env: map[string]string{VarRequestTimeout: "5s"}, payload: `{"requestTimeout":"6s"}`,
			want: []string{`event field "requestTimeout": 6s is more than the environment allows (REQUEST_TIMEOUT 5s)`}},
		{name: "another host", payload: `{"host":"evil.example.com"}`, want: []string{`event field "host": the target is the environment's; EVENT_OVERRIDES must name host`}},
		{name: "another port", payload: `{"port":8443}`, want: []string{`event field "port": the target is the environment's`}},
		{name: "other headers", payload: `{"headers":{"X-Admin":"1"}}`, want: []string{`event field "headers": the target is the environment's`}},
		{name: "zero waves", payload: `{"waves":0}`, want: []string{`event field "waves": 0: want at least 1`}},
		{name: "zero requests", payload: `{"requestsPerPop":0}`, want: []string{`event field "requestsPerPop": 0: want at least 1`}},
		{name: "zero timeout", payload: `{"requestTimeout":"0s"}`, want: []string{`event field "requestTimeout": "0s": want more than 0`}},
		{name: "coverage without auto", payload: `{"coverage":0.9}`, want: []string{`event field "coverage": needs automatic requests per POP`}},
		{name: "coverage out of range", payload: `{"requestsPerPop":"auto","coverage":1}`, want: []string{`event field "coverage": 1: want more than 0 and less than 1`}},
		{name: "zero waves in the environment", env: map[string]string{VarWaves: "0"}, want: []string{"WAVES 0: must not be 0"}},
		{name: "zero timeout in the environment", env: map[string]string{VarRequestTimeout: "0s"}, want: []string{"REQUEST_TIMEOUT 0s: must not be 0"}},
		{name: "unknown override permission", env: map[string]string{VarEventOverrides: "pops"}, want: []string{`EVENT_OVERRIDES: "pops" is not a target field`}},
		{name: "another subnet", env: map[string]string{VarClientSubnets: "198.51.100.0/24"}, payload: `{"clientSubnets":["203.0.113.0/24"]}`,
			want: []string{`event field "clientSubnets": 203.0.113.0/24 is not among the environment's CLIENT_SUBNETS`}},
		{name: "more than auto's maximum", env: map[string]string{VarRequestsPerPOP: "auto", VarMaxRequests: "40"}, payload: `{"maxRequests":41}`,
			want: []string{`event field "maxRequests": 41 is more than the environment allows (MAX_REQUESTS 40)`}},
		{name: "fixed more than auto's maximum", env: map[string]string{VarRequestsPerPOP: "auto"}, payload: `{"requestsPerPop":201}`,
			want: []string{`event field "requestsPerPop": 201 is more than the environment allows (MAX_REQUESTS 200)`}},
		{name: "another distribution", env: map[string]string{VarEventOverrides: "host"}, payload: `{"distributionDomain":"d2.cloudfront.net"}`,
			want: []string{`event field "distributionDomain": the target is the environment's`}},
		{name: "zeros in the environment", env: map[string]string{VarRequestsPerPOP: "0", VarConcurrency: "0", VarKeepAlive: "0"},
			want: []string{"REQUESTS_PER_POP 0: must not be 0", "CONCURRENCY 0: must not be 0", "KEEPALIVE 0: must not be 0"}},
		{name: "bad environment, all at once",
			env: map[string]string{VarDistribution: "", VarRequestsPerPOP: "sixty", VarWaveInterval: "20", VarHeaders: "X-A: b", VarLogLevel: "loud"},
			want: []string{"distribution: required", `REQUESTS_PER_POP "sixty": want a whole number`,
				`WAVE_INTERVAL "20": want a duration`, "HEADERS: want a JSON object", `LOG_LEVEL "loud"`}},
		// Issue 20: one network twice, however spelled, is refused wherever
		// it is given: it would be warmed (and billed) twice.
		{name: "one subnet twice in the event", env: map[string]string{VarClientSubnets: "203.0.113.0/24"},
			payload: `{"clientSubnets":["203.0.113.0/24","203.0.113.1/24"]}`,
			want:    []string{"client subnet 203.0.113.0/24: listed twice", "event: up to 9 requests per invocation, more than the environment allows (6)"}},
		{name: "one subnet twice in the environment", env: map[string]string{VarClientSubnets: "203.0.113.0/24, 203.0.113.77/24"},
			want: []string{"client subnet 203.0.113.0/24: listed twice"}},
		{name: "scheduled time not RFC 3339", payload: `{"scheduledTime":"2026-03-22 18:59"}`,
			want: []string{`event field "scheduledTime": want an RFC 3339 time such as "2026-03-22T18:59:00Z" (<aws.scheduler.scheduled-time>), got "2026-03-22 18:59"`}},
		{name: "scheduled time as a number", payload: `{"scheduledTime":1774205940}`, want: []string{`event field "scheduledTime": want a string`}},
		{name: "period not below the keep-alive", env: map[string]string{VarPeriod: "60s"}, want: []string{"PERIOD 1m0s: must be at least 1s and shorter than the keep-alive 1m0s"}},
		{name: "period not below the event's keep-alive", env: map[string]string{VarPeriod: "40s"}, payload: `{"keepalive":"30s","waveInterval":"20s"}`,
			want: []string{"PERIOD 40s: must be at least 1s and shorter than the keep-alive 30s"}},
		{name: "unknown metric level", env: map[string]string{VarMetrics: "all"}, want: []string{`METRICS "all": want lean or full`}},
		{name: "period under a second", env: map[string]string{VarPeriod: "500ms"}, want: []string{"PERIOD 500ms: must be at least 1s"}},
		{name: "one POP twice in the event", payload: `{"pops":["HKG54-C1","hkg54-c1"]}`,
			want: []string{"POP HKG54-C1: listed twice", "event: up to 6 requests per invocation, more than the environment allows (3)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{VarPOPs: "HKG54-C1", VarRequestsPerPOP: "1"}
			for k, v := range tt.env {
				env[k] = v
			}
			if _, ok := tt.env[VarPOPs]; !ok && strings.Contains(tt.name, "POP not in") {
				env[VarPOPs] = "HKG54-C1,FRA56-P3"
			}
			s, err := configureWith(t, env, tt.payload)
			if err == nil {
				t.Fatalf("accepted: %+v", s)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}
}

// EventBridge Scheduler's target input carries the scheduled time: the
// invocation then runs the aligned grid (PERIOD, or the keep-alive less
// 2 s); without it, the plain-rule waves.
func TestScheduledTime(t *testing.T) {
	s, err := configureWith(t, nil, `{"scheduledTime":"2026-03-22T18:59:00Z"}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 22, 18, 59, 0, 0, time.UTC); !s.Scheduled.Equal(want) {
		t.Errorf("scheduled %v, want %v", s.Scheduled, want)
	}
	if o := s.Schedule(); o.Kind != schedule.KindAligned || o.Period != 58*time.Second {
		t.Errorf("with a scheduled time: %v, want aligned every 58s", o)
	}
	s, err = configureWith(t, map[string]string{VarPeriod: "29s", VarKeepAlive: "60s"}, `{"scheduledTime":"2026-03-22T18:59:00+08:00"}`)
	if err != nil || s.Schedule().Period != 29*time.Second || s.Scheduled.UTC().Hour() != 10 {
		t.Errorf("PERIOD 29s: %v, %v at %v", err, s.Schedule(), s.Scheduled)
	}
	s, err = configureWith(t, map[string]string{VarKeepAlive: "180s"}, `{"scheduledTime":"2026-03-22T18:59:00Z"}`)
	if err != nil || s.Schedule().Period != 178*time.Second {
		t.Errorf("KEEPALIVE 180s: %v, %v", err, s.Schedule())
	}
	// A plain rule's event (or none): the waves, 3 × 44 s by default.
	for _, payload := range []string{"", `{"version":"0","detail-type":"Scheduled Event","source":"aws.events","time":"2026-03-22T18:59:00Z","detail":{}}`} {
		s, err = configureWith(t, nil, payload)
		if o := s.Schedule(); err != nil || !s.Scheduled.IsZero() || o.Kind != schedule.KindWaves || o.Waves != 3 || o.Interval != 44*time.Second {
			t.Errorf("%q: %v, %v", payload, err, o)
		}
	}
}

// The billed-request ceiling holds whatever the event (issue 20): an event
// can never configure a run that may send more requests than the
// environment's own run. Random environments and events, each event built
// from the environment's own values and their variations (other spellings,
// repeats, more), are either refused or within the ceiling.
func TestEventNeverExceedsTheEnvironment(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 1))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	accepted := 0
	for i := range 3000 {
		env := map[string]string{
			VarPOPs:           pick("HKG54-C1", "HKG54-C1,FRA56-P3", "HKG54-C1,FRA56-P3,NRT57-P2"),
			VarRequestsPerPOP: pick("", "1", "5", "auto"),
			VarWaves:          pick("", "1", "2"),
			VarClientSubnets:  pick("", "203.0.113.0/24", "203.0.113.0/24,198.51.100.0/24"),
			VarMaxRequests:    pick("", "10"),
		}
		if env[VarRequestsPerPOP] != "auto" {
			env[VarMaxRequests] = ""
		}
		var fields []string
		if rng.IntN(2) == 0 {
			var pops []string
			for range rng.IntN(6) {
				pops = append(pops, strconv.Quote(pick("HKG54-C1", "hkg54-c1", " HKG54-C1", "FRA56-P3", "NRT57-P2")))
			}
			fields = append(fields, `"pops":[`+strings.Join(pops, ",")+`]`)
		}
		if rng.IntN(2) == 0 {
			var subnets []string
			for range rng.IntN(6) {
				subnets = append(subnets, strconv.Quote(pick("203.0.113.0/24", "203.0.113.1/24", "203.0.113.200/24", "198.51.100.9/24")))
			}
			fields = append(fields, `"clientSubnets":[`+strings.Join(subnets, ",")+`]`)
		}
		if rng.IntN(2) == 0 {
			fields = append(fields, `"requestsPerPop":`+pick(`"auto"`, "1", "5", "10", "200"))
		}
		if rng.IntN(3) == 0 {
			fields = append(fields, `"maxRequests":`+pick("1", "10", "200"), `"minRequests":`+pick("1", "8"))
		}
		if rng.IntN(3) == 0 {
			fields = append(fields, `"waves":`+pick("1", "2", "3", "4"))
		}
		payload := "{" + strings.Join(fields, ",") + "}"
		envSettings, err := Parse(getenv(env))
		if err != nil {
			t.Fatalf("environment %v: %v", env, err)
		}
		s, err := Configure(getenv(env), []byte(payload))
		if err != nil {
			continue
		}
		accepted++
		if most, limit := withDefaults(s.Config).MostRequests(), withDefaults(envSettings.Config).MostRequests(); most > limit {
			t.Errorf("run %d: environment %v, event %s: up to %d requests, the environment's run %d", i, env, payload, most, limit)
		}
	}
	if accepted < 300 {
		t.Errorf("only %d of 3000 events accepted: the test checks too little", accepted)
	}
}

// A bad event's error stays small however large the event (issue 20): an
// event over MaxEventBytes is refused unread, and a large one within it
// names its first problems and counts the rest.
func TestBadEventErrorIsBounded(t *testing.T) {
	bad := func(n int) string {
		codes := make([]string, n)
		for i := range codes {
			codes[i] = fmt.Sprintf(`"bad-%07d"`, i)
		}
		return `{"pops":[` + strings.Join(codes, ",") + `]}`
	}
	env := map[string]string{VarClientSubnets: "203.0.113.0/24"}
	for _, c := range []struct {
		payload, want string
	}{
		{bad(150_000), "event: 2100010 bytes, more than the 256 KiB an event may have"},
		{bad(13_000), `event field "pops": bad-0000000, bad-0000001, bad-0000002, bad-0000003, bad-0000004 and 12995 more are not among the environment's POPS`},
		{`{"clientSubnets":[` + strings.Repeat(`"x",`, 50_000) + `"y"]}`, "; and 49981 more problems"},
	} {
		_, err := configureWith(t, env, c.payload)
		if err == nil || !strings.Contains(err.Error(), c.want) || len(err.Error()) > 8<<10 {
			t.Errorf("%d-byte event: a %d-byte error %.300q, want a short one saying %q", len(c.payload), len(fmt.Sprint(err)), err, c.want)
		}
	}
	if _, err := configureWith(t, nil, strings.Repeat(" ", MaxEventBytes)+"{}"); err == nil {
		t.Error("an event over the limit, even of blanks, is refused")
	}
}
