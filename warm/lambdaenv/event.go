package lambdaenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/warm"
)

// MaxEventBytes is the largest invocation event read: EventBridge's own
// limit on an event. A real one is far smaller (600 POPs and 600 IPv6
// client subnets come to about 35 KB); a larger one is refused unread, so
// that its problems cannot flood the log or the response.
const MaxEventBytes = 256 << 10

// TargetFields are the event fields that change what is warmed rather than
// how much: refused unless EVENT_OVERRIDES names them.
var TargetFields = []string{"distributionDomain", "host", "path", "method", "port", "headers"}

// eventFields are every field of an event, the target fields first.
var eventFields = append(slices.Clone(TargetFields), "pops", "clientSubnets", "requestsPerPop", "coverage",
	"minRequests", "maxRequests", "adapt", "concurrency", "requestTimeout", "waves", "waveInterval", "keepalive", "logRequests",
	"scheduledTime")

// event is an invocation event: the fields it sets; absent fields keep the
// environment's value.
type event struct {
	DistributionDomain *string            `json:"distributionDomain"`
	Host               *string            `json:"host"`
	Path               *string            `json:"path"`
	Method             *string            `json:"method"`
	Port               *int               `json:"port"`
	Headers            *map[string]string `json:"headers"` // replaces HEADERS

	POPs           *[]string       `json:"pops"`
	ClientSubnets  *[]string       `json:"clientSubnets"`
	RequestsPerPOP json.RawMessage `json:"requestsPerPop"` // a number, or "auto"
	Coverage       *float64        `json:"coverage"`
	MinRequests    *int            `json:"minRequests"`
	MaxRequests    *int            `json:"maxRequests"`
	Adapt          *bool           `json:"adapt"`
	Concurrency    *int            `json:"concurrency"`
	RequestTimeout *string         `json:"requestTimeout"` // Go durations: "20s"
	Waves          *int            `json:"waves"`
	WaveInterval   *string         `json:"waveInterval"`
	KeepAlive      *string         `json:"keepalive"`
	LogRequests    *bool           `json:"logRequests"`

	// ScheduledTime is EventBridge Scheduler's <aws.scheduler.scheduled-time>
	// (RFC 3339): the time the invocation stands for.
	ScheduledTime *string `json:"scheduledTime"`
}

// Narrow applies an invocation event to the environment's settings. The
// environment is the ceiling and the event may only narrow it: a subset of
// its POPs and client subnets, no more requests per POP, waves, concurrency
// or request timeout than it allows (its values, or the defaults it runs
// with), another target (TargetFields) only where EVENT_OVERRIDES names the
// field; whatever it asks, the run it configures can send no more billed
// requests than the environment's (warm.Config.MostRequests). An empty
// payload, null, {} and an EventBridge event whose detail is empty (a
// scheduled rule's event) change nothing; the detail of another EventBridge
// event is read as the event. scheduledTime (EventBridge Scheduler's
// <aws.scheduler.scheduled-time> in the target input) narrows nothing: it
// sets Settings.Scheduled, the time the invocation stands for. The error names every field refused; the Settings
// must not be run then. Narrow does not validate the result: Configure does.
func Narrow(s Settings, payload []byte) (Settings, error) {
	var p config.Problems
	ev, err := parseEvent(payload)
	if err != nil {
		p.AddErr(err)
		return s, p.Err("prewarm configuration")
	}
	out := s
	ev.apply(&out, ceilingOf(s.Config), &p)
	if most, limit := withDefaults(out.Config).MostRequests(), withDefaults(s.Config).MostRequests(); most > limit {
		p.Add("event: up to %d requests per invocation, more than the environment allows (%d)", most, limit)
	}
	return out, p.Err("prewarm configuration")
}

// ceiling is the most the environment allows: an event may only narrow it.
type ceiling struct {
	requests    int // per POP per wave: REQUESTS_PER_POP, or with auto MAX_REQUESTS
	requestsVar string
	waves       int
	concurrency int
	timeout     time.Duration
	pops        []string
	subnets     []netip.Prefix
	auto        bool
}

// ceilingOf is the environment's configuration as the Lambda runs it: its
// defaults where a variable is unset (withDefaults, so the ceiling is what
// a run without an event would use), POP codes in upper case and client
// subnets masked.
func ceilingOf(env warm.Config) ceiling {
	c := withDefaults(env)
	cl := ceiling{requests: c.RequestsPerPOP, requestsVar: VarRequestsPerPOP, waves: c.Waves, concurrency: c.Concurrency,
		timeout: c.Timeout, pops: c.POPs, subnets: c.ClientSubnets, auto: c.Auto}
	if c.Auto {
		cl.requests, cl.requestsVar = c.MaxRequests, VarMaxRequests
	}
	return cl
}

// apply sets the fields the event gave, each checked against the
// environment's ceiling; it reports every field it refuses.
func (ev event) apply(s *Settings, cl ceiling, p *config.Problems) {
	c := &s.Config
	target := func(field string, set bool) bool {
		if set && !slices.Contains(s.EventOverrides, field) {
			p.Add("event field %q: the target is the environment's; %s must name %s to let an event change it", field, VarEventOverrides, field)
			return false
		}
		return set
	}
	if target("distributionDomain", ev.DistributionDomain != nil) {
		c.Distribution = *ev.DistributionDomain
	}
	if target("host", ev.Host != nil) {
		c.Host = *ev.Host
	}
	if target("path", ev.Path != nil) {
		c.Path = *ev.Path
	}
	if target("method", ev.Method != nil) {
		c.Method = *ev.Method
	}
	if target("port", ev.Port != nil) && positive(p, "port", *ev.Port) {
		c.Port = *ev.Port
	}
	if target("headers", ev.Headers != nil) {
		c.Header = toHeader(*ev.Headers)
	}
	ev.applyTargets(c, cl, p)
	ev.applySizing(s, cl, p)
	if ev.Concurrency != nil && atMost(p, "concurrency", *ev.Concurrency, cl.concurrency, VarConcurrency) {
		c.Concurrency = *ev.Concurrency
	}
	if ev.Waves != nil && atMost(p, "waves", *ev.Waves, cl.waves, VarWaves) {
		c.Waves = *ev.Waves
	}
	if d, ok := duration(p, "requestTimeout", ev.RequestTimeout); ok {
		if d > cl.timeout {
			p.Add("event field %q: %v is more than the environment allows (%s %v)", "requestTimeout", d, VarRequestTimeout, cl.timeout)
		} else {
			c.Timeout = d
		}
	}
	if d, ok := duration(p, "waveInterval", ev.WaveInterval); ok {
		c.WaveInterval = d
	}
	if d, ok := duration(p, "keepalive", ev.KeepAlive); ok {
		c.KeepAlive = d
	}
	if ev.LogRequests != nil {
		s.LogRequests = *ev.LogRequests
	}
	if ev.ScheduledTime != nil {
		t, err := time.Parse(time.RFC3339, *ev.ScheduledTime)
		if err != nil {
			p.Add("event field %q: want an RFC 3339 time such as \"2026-03-22T18:59:00Z\" (<aws.scheduler.scheduled-time>), got %q", "scheduledTime", *ev.ScheduledTime)
		}
		s.Scheduled = t
	}
}

// applyTargets narrows the POPs and client subnets to subsets of the
// environment's.
func (ev event) applyTargets(c *warm.Config, cl ceiling, p *config.Problems) {
	if ev.POPs != nil {
		var pops, others []string
		var malformed error // the first name that is no POP code, quoting the rule
		for _, pop := range *ev.POPs {
			code, err := cloudfront.NormalizePOPCode(pop)
			if err == nil && slices.Contains(cl.pops, code) {
				pops = append(pops, code)
				continue
			}
			if err != nil && malformed == nil {
				malformed = err
			}
			others = append(others, pop)
		}
		if len(others) > 0 {
			p.Add("event field %q: %s not among the environment's %s (%s)", "pops", some(others), VarPOPs, strings.Join(cl.pops, ","))
		}
		if malformed != nil {
			p.Add("event field %q: %v", "pops", malformed)
		}
		c.POPs = pops
	}
	if ev.ClientSubnets != nil {
		var subnets []netip.Prefix
		var others []string
		for _, v := range *ev.ClientSubnets {
			sn, err := warm.ParseClientSubnet(v)
			switch {
			case err != nil:
				p.Add("event field %q: %q: %v", "clientSubnets", v, err)
			case !slices.Contains(cl.subnets, sn):
				others = append(others, v)
			default:
				subnets = append(subnets, sn)
			}
		}
		if len(others) > 0 {
			p.Add("event field %q: %s not among the environment's %s", "clientSubnets", some(others), VarClientSubnets)
		}
		c.ClientSubnets = subnets
	}
}

// some names the first few of a list of values and counts the rest, with
// the verb that fits: "HKG54 is", "A, B are", "A, B, C, D, E and 9 more are".
func some(vs []string) string {
	const shown = 5
	if len(vs) == 1 {
		return vs[0] + " is"
	}
	s := strings.Join(vs[:min(len(vs), shown)], ", ")
	if len(vs) > shown {
		s += " and " + strconv.Itoa(len(vs)-shown) + " more"
	}
	return s + " are"
}

// applySizing sets the request counts: never more per POP and wave than the
// environment's ceiling.
func (ev event) applySizing(s *Settings, cl ceiling, p *config.Problems) {
	c := &s.Config
	if len(ev.RequestsPerPOP) > 0 {
		var n int
		if string(ev.RequestsPerPOP) == strconv.Quote(warm.Auto) {
			c.Auto = true
		} else if err := json.Unmarshal(ev.RequestsPerPOP, &n); err != nil {
			p.Add(`event field "requestsPerPop": want a number or "auto", got %s`, ev.RequestsPerPOP)
		} else if atMost(p, "requestsPerPop", n, cl.requests, cl.requestsVar) {
			// A fixed count: the environment's automatic sizing settings
			// (ADAPT, COVERAGE, MIN_/MAX_REQUESTS, HOSTS_FILE) go with its auto.
			c.Auto, c.RequestsPerPOP = false, n
			c.Coverage, c.MinRequests, c.MaxRequests, c.Adapt, s.HostsFile = 0, 0, 0, false, ""
		}
	}
	if ev.Coverage != nil {
		if err := warm.CheckCoverage(*ev.Coverage); err != nil {
			p.Add("event field %q: %v: %v", "coverage", *ev.Coverage, err)
		}
		c.Coverage = *ev.Coverage
	}
	if ev.MinRequests != nil && atMost(p, "minRequests", *ev.MinRequests, cl.requests, cl.requestsVar) {
		c.MinRequests = *ev.MinRequests
	}
	if ev.MaxRequests != nil && atMost(p, "maxRequests", *ev.MaxRequests, cl.requests, cl.requestsVar) {
		c.MaxRequests = *ev.MaxRequests
	}
	if ev.Adapt != nil {
		c.Adapt = *ev.Adapt
	}
	given := map[string]string{warm.FieldCoverage: "coverage", warm.FieldMinRequests: "minRequests",
		warm.FieldMaxRequests: "maxRequests", warm.FieldAdapt: "adapt"}
	for _, field := range c.NeedsAuto() {
		if name, ok := given[field]; ok && ev.gave(name) {
			p.Add("event field %q: %v", name, errNeedsAuto(`"requestsPerPop": "auto", or `+VarRequestsPerPOP+"="+warm.Auto))
		}
	}
	if c.Auto && !cl.auto { // auto under a fixed REQUESTS_PER_POP: at most that many
		d := c.WithDefaults()
		c.MaxRequests = min(d.MaxRequests, cl.requests)
		c.MinRequests = min(d.MinRequests, c.MaxRequests)
	}
}

// gave says whether the event set the sizing field name.
func (ev event) gave(name string) bool {
	switch name {
	case "coverage":
		return ev.Coverage != nil
	case "minRequests":
		return ev.MinRequests != nil
	case "maxRequests":
		return ev.MaxRequests != nil
	case "adapt":
		return ev.Adapt != nil
	}
	return false
}

// atMost checks an event's number against the environment's: not 0, not
// negative, not more.
func atMost(p *config.Problems, field string, v, limit int, envVar string) bool {
	if !positive(p, field, v) {
		return false
	}
	if v > limit {
		p.Add("event field %q: %d is more than the environment allows (%s %d)", field, v, envVar, limit)
		return false
	}
	return true
}

func positive(p *config.Problems, field string, v int) bool {
	if v <= 0 {
		p.Add("event field %q: %d: want at least 1 (leave the field out for the environment's value)", field, v)
		return false
	}
	return true
}

// duration parses an event's duration: a Go duration string, not 0.
func duration(p *config.Problems, field string, v *string) (time.Duration, bool) {
	if v == nil {
		return 0, false
	}
	d, err := time.ParseDuration(*v)
	if err != nil {
		p.Add("event field %q: want a duration such as \"20s\", got %q", field, *v)
		return 0, false
	}
	if d <= 0 {
		p.Add("event field %q: %q: want more than 0 (leave the field out for the environment's value)", field, *v)
		return 0, false
	}
	return d, true
}

// parseEvent reads the invocation event. Unknown fields are rejected.
func parseEvent(payload []byte) (event, error) {
	var ev event
	if len(payload) > MaxEventBytes {
		return ev, fmt.Errorf("event: %d bytes, more than the %d KiB an event may have", len(payload), MaxEventBytes>>10)
	}
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return ev, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return ev, fmt.Errorf(`event: want a JSON object of overrides such as {"pops":["HKG54-C1"]}: %v`, err)
	}
	_, hasType := fields["detail-type"]
	_, hasSource := fields["source"]
	if hasType && hasSource { // an EventBridge event: the overrides are its detail
		payload = bytes.TrimSpace(fields["detail"])
		if len(payload) == 0 || string(payload) == "null" {
			return ev, nil
		}
		fields = nil
		if err := json.Unmarshal(payload, &fields); err != nil {
			return ev, fmt.Errorf("event detail: want a JSON object of overrides: %v", err)
		}
	}
	// encoding/json matches names regardless of case ("PATH" would set
	// path): check the names exactly first.
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(eventFields, name) {
			return ev, unknownField(strconv.Quote(name))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return event{}, eventError(err)
	}
	return ev, nil
}

func unknownField(quoted string) error {
	return fmt.Errorf("event: unknown field %s (the fields are %s)", quoted, strings.Join(eventFields, ", "))
}

// eventError turns a decoding error into a message naming the field.
func eventError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return unknownField(field)
	}
	if errors.As(err, &typeErr) {
		want := map[reflect.Kind]string{reflect.Int: "number", reflect.Float64: "number", reflect.String: "string",
			reflect.Bool: "true or false", reflect.Slice: "list of strings", reflect.Map: "JSON object of strings"}[typeErr.Type.Kind()]
		if want == "" {
			want = "JSON object"
		}
		return fmt.Errorf("event field %q: want a %s, got a JSON %s", typeErr.Field, want, typeErr.Value)
	}
	return fmt.Errorf("event: %w", err)
}
