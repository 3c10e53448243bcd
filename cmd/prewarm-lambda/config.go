package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
)

// defaultWaves: EventBridge invokes once a minute, so one invocation sends
// three waves 20 s apart (warm's default interval) to keep the gaps well
// below a 60 s origin keep-alive. See docs/warm.md.
const defaultWaves = 3

// settings is everything one invocation needs.
type settings struct {
	cfg         warm.Config
	namespace   string // EMF namespace
	level       slog.Level
	logRequests bool   // log every request's record
	hostsFile   string // HOSTS_FILE, read by the handler (once per process)
}

// configure reads the environment, applies the event's overrides within
// the environment's limits and validates the result. The error lists
// every problem.
func configure(getenv func(string) string, payload []byte) (settings, error) {
	var p config.Problems
	s, allowed := fromEnv(getenv, &p)
	o, err := parseEvent(payload)
	if err != nil {
		p.AddErr(err)
	} else {
		o.apply(&s, ceilingOf(s.cfg), allowed, &p)
	}
	p.AddErr(s.cfg.Validate())
	return s, p.Err("prewarm configuration")
}

// fromEnv reads the environment variables of the table in docs/warm.md and
// the target fields EVENT_OVERRIDES lets an event change.
func fromEnv(getenv func(string) string, p *config.Problems) (settings, map[string]bool) {
	s := settings{namespace: format.DefaultNamespace, level: slog.LevelInfo}
	c := &s.cfg
	c.Distribution = getenv("DISTRIBUTION_DOMAIN") // required: warm.Validate checks
	c.Host = getenv("HOST")
	c.Path = getenv("URL_PATH")
	c.Method = getenv("METHOD")
	c.POPs = splitList(getenv("POPS"))
	if v := strings.TrimSpace(getenv("REQUESTS_PER_POP")); v == "auto" {
		c.Auto = true
	} else {
		c.RequestsPerPOP = envCount(getenv, "REQUESTS_PER_POP", p)
	}
	c.Coverage = envValue(getenv, "COVERAGE", p, parseCoverage, "a share such as 0.99")
	c.MinRequests = envCount(getenv, "MIN_REQUESTS", p)
	c.MaxRequests = envCount(getenv, "MAX_REQUESTS", p)
	c.Adapt = envValue(getenv, "ADAPT", p, strconv.ParseBool, "true or false")
	c.Hosts = envCount(getenv, "HOSTS", p)
	s.hostsFile = getenv("HOSTS_FILE")
	c.Concurrency = envCount(getenv, "CONCURRENCY", p)
	c.Timeout = envDuration(getenv, "REQUEST_TIMEOUT", p)
	c.Waves = envCount(getenv, "WAVES", p)
	if c.Waves == 0 && getenv("WAVES") == "" {
		c.Waves = defaultWaves
	}
	c.WaveInterval = envDuration(getenv, "WAVE_INTERVAL", p)
	c.KeepAlive = envDuration(getenv, "KEEPALIVE", p)
	c.Port = envCount(getenv, "PORT", p)
	c.IPVersion = envInt(getenv, "IP_VERSION", p)
	c.DNSServer = getenv("DNS_SERVER")
	c.CAFile = getenv("CA_FILE")
	c.TLSVersion = envValue(getenv, "TLS_VERSION", p, warm.ParseTLSVersion, "1.2 or 1.3")
	for _, v := range splitList(getenv("CLIENT_SUBNETS")) {
		if sn, err := warm.ParseClientSubnet(v); err != nil {
			p.Add("CLIENT_SUBNETS %q: %v", v, err)
		} else {
			c.ClientSubnets = append(c.ClientSubnets, sn)
		}
	}
	if v := getenv("HEADERS"); v != "" {
		var h map[string]string
		if err := json.Unmarshal([]byte(v), &h); err != nil {
			p.Add(`HEADERS: want a JSON object such as {"X-Prewarm":"1"}: %v`, err)
		}
		c.Header = toHeader(h)
	}
	if v := getenv("EMF_NAMESPACE"); v != "" {
		s.namespace = v
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := s.level.UnmarshalText([]byte(v)); err != nil {
			p.Add("LOG_LEVEL %q: want debug, info, warn or error", v)
		}
	}
	s.logRequests = envValue(getenv, "LOG_REQUESTS", p, strconv.ParseBool, "true or false")
	allowed := map[string]bool{}
	for _, f := range splitList(getenv("EVENT_OVERRIDES")) {
		if !slices.Contains(targetFields, f) {
			p.Add("EVENT_OVERRIDES: %q is not a target field (they are %s)", f, strings.Join(targetFields, ", "))
		}
		allowed[f] = true
	}
	return s, allowed
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func envInt(getenv func(string) string, name string, p *config.Problems) int {
	return envValue(getenv, name, p, strconv.Atoi, "a whole number")
}

// envCount is a whole number that is not 0: 0 would silently mean the
// default, so it is refused (leave the variable unset for the default).
func envCount(getenv func(string) string, name string, p *config.Problems) int {
	n := envInt(getenv, name, p)
	if n == 0 && strings.TrimSpace(getenv(name)) != "" {
		p.Add("%s 0: must not be 0 (leave it unset for the default)", name)
	}
	return n
}

func envDuration(getenv func(string) string, name string, p *config.Problems) time.Duration {
	s := strings.TrimSpace(getenv(name))
	d := envValue(getenv, name, p, time.ParseDuration, "a duration such as 20s or 1m")
	if _, err := time.ParseDuration(s); err == nil && d == 0 {
		p.Add("%s %s: must not be 0 (leave it unset for the default)", name, s)
	}
	return d
}

// envValue parses the variable if it is set; a value that does not parse
// is a problem.
func envValue[T any](getenv func(string) string, name string, p *config.Problems, parse func(string) (T, error), want string) T {
	var v T
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return v
	}
	v, err := parse(s)
	if err != nil {
		p.Add("%s %q: want %s", name, s, want)
	}
	return v
}

func parseCoverage(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && !(v > 0 && v < 1) {
		err = errors.New("out of range")
	}
	return v, err
}

func toHeader(m map[string]string) http.Header {
	if m == nil {
		return nil
	}
	h := http.Header{}
	for k, v := range m {
		h.Set(k, v)
	}
	return h
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

// ceilingOf is the environment's configuration as warm applies it: its
// defaults where a variable is unset (warm.Config.WithDefaults, so the
// ceiling is what a run without an event would use), POP codes in upper
// case and client subnets masked.
func ceilingOf(env warm.Config) ceiling {
	c := env.WithDefaults()
	cl := ceiling{requests: c.RequestsPerPOP, requestsVar: "REQUESTS_PER_POP", waves: c.Waves, concurrency: c.Concurrency,
		timeout: c.Timeout, pops: c.POPs, subnets: c.ClientSubnets, auto: c.Auto}
	if c.Auto {
		cl.requests, cl.requestsVar = c.MaxRequests, "MAX_REQUESTS"
	}
	return cl
}

// overrides are the fields an invocation event may set; absent fields keep
// the environment's value. The prewarm fields may only narrow what the
// environment allows; the target fields (targetFields) may be set only
// when EVENT_OVERRIDES names them.
type overrides struct {
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
}

// targetFields are the event fields that change what is warmed rather than
// how much: refused unless EVENT_OVERRIDES names them.
var targetFields = []string{"distributionDomain", "host", "path", "method", "port", "headers"}

var overrideFields = append(slices.Clone(targetFields), "pops", "clientSubnets", "requestsPerPop", "coverage",
	"minRequests", "maxRequests", "adapt", "concurrency", "requestTimeout", "waves", "waveInterval", "keepalive", "logRequests")

// apply sets the fields the event gave, each checked against the
// environment's ceiling; it reports every field it refuses.
func (o overrides) apply(s *settings, cl ceiling, allowed map[string]bool, p *config.Problems) {
	c := &s.cfg
	target := func(field string, set bool) bool {
		if set && !allowed[field] {
			p.Add("event field %q: the target is the environment's; EVENT_OVERRIDES must name %s to let an event change it", field, field)
			return false
		}
		return set
	}
	if target("distributionDomain", o.DistributionDomain != nil) {
		c.Distribution = *o.DistributionDomain
	}
	if target("host", o.Host != nil) {
		c.Host = *o.Host
	}
	if target("path", o.Path != nil) {
		c.Path = *o.Path
	}
	if target("method", o.Method != nil) {
		c.Method = *o.Method
	}
	if target("port", o.Port != nil) && positive(p, "port", *o.Port) {
		c.Port = *o.Port
	}
	if target("headers", o.Headers != nil) {
		c.Header = toHeader(*o.Headers)
	}
	o.applyTargets(c, cl, p)
	o.applySizing(c, cl, p)
	if o.Concurrency != nil && atMost(p, "concurrency", *o.Concurrency, cl.concurrency, "CONCURRENCY") {
		c.Concurrency = *o.Concurrency
	}
	if o.Waves != nil && atMost(p, "waves", *o.Waves, cl.waves, "WAVES") {
		c.Waves = *o.Waves
	}
	if d, ok := duration(p, "requestTimeout", o.RequestTimeout); ok {
		if d > cl.timeout {
			p.Add("event field %q: %v is more than the environment allows (REQUEST_TIMEOUT %v)", "requestTimeout", d, cl.timeout)
		} else {
			c.Timeout = d
		}
	}
	if d, ok := duration(p, "waveInterval", o.WaveInterval); ok {
		c.WaveInterval = d
	}
	if d, ok := duration(p, "keepalive", o.KeepAlive); ok {
		c.KeepAlive = d
	}
	if o.LogRequests != nil {
		s.logRequests = *o.LogRequests
	}
}

// applyTargets narrows the POPs and client subnets to subsets of the
// environment's.
func (o overrides) applyTargets(c *warm.Config, cl ceiling, p *config.Problems) {
	if o.POPs != nil {
		var pops []string
		for _, pop := range *o.POPs {
			code, err := cloudfront.NormalizePOPCode(pop)
			if err != nil {
				p.Add("event field %q: %v", "pops", err)
				continue
			}
			if !slices.Contains(cl.pops, code) {
				p.Add("event field %q: %s is not among the environment's POPS (%s)", "pops", pop, strings.Join(cl.pops, ","))
				continue
			}
			pops = append(pops, code)
		}
		c.POPs = pops
	}
	if o.ClientSubnets != nil {
		var subnets []netip.Prefix
		for _, v := range *o.ClientSubnets {
			sn, err := warm.ParseClientSubnet(v)
			if err != nil {
				p.Add("event field %q: %q: %v", "clientSubnets", v, err)
				continue
			}
			if !slices.Contains(cl.subnets, sn) {
				p.Add("event field %q: %s is not among the environment's CLIENT_SUBNETS", "clientSubnets", v)
				continue
			}
			subnets = append(subnets, sn)
		}
		c.ClientSubnets = subnets
	}
}

// applySizing sets the request counts: never more per POP and wave than the
// environment's ceiling.
func (o overrides) applySizing(c *warm.Config, cl ceiling, p *config.Problems) {
	if len(o.RequestsPerPOP) > 0 {
		var n int
		if string(o.RequestsPerPOP) == `"auto"` {
			c.Auto = true
		} else if err := json.Unmarshal(o.RequestsPerPOP, &n); err != nil {
			p.Add(`event field "requestsPerPop": want a number or "auto", got %s`, o.RequestsPerPOP)
		} else if atMost(p, "requestsPerPop", n, cl.requests, cl.requestsVar) {
			// A fixed count: the environment's ADAPT goes with its auto.
			c.Auto, c.Adapt, c.RequestsPerPOP = false, false, n
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"coverage", o.Coverage != nil}, {"minRequests", o.MinRequests != nil}, {"maxRequests", o.MaxRequests != nil}, {"adapt", o.Adapt != nil}} {
		if f.set && !c.Auto {
			p.Add(`event field %q: needs automatic requests per POP ("requestsPerPop": "auto", or REQUESTS_PER_POP=auto)`, f.name)
		}
	}
	if o.Coverage != nil {
		if !(*o.Coverage > 0 && *o.Coverage < 1) {
			p.Add("event field %q: %v: want more than 0 and less than 1", "coverage", *o.Coverage)
		}
		c.Coverage = *o.Coverage
	}
	if o.MinRequests != nil && atMost(p, "minRequests", *o.MinRequests, cl.requests, cl.requestsVar) {
		c.MinRequests = *o.MinRequests
	}
	if o.MaxRequests != nil && atMost(p, "maxRequests", *o.MaxRequests, cl.requests, cl.requestsVar) {
		c.MaxRequests = *o.MaxRequests
	}
	if o.Adapt != nil {
		c.Adapt = *o.Adapt
	}
	if c.Auto && !cl.auto { // auto under a fixed REQUESTS_PER_POP: at most that many
		d := c.WithDefaults()
		c.MaxRequests = min(d.MaxRequests, cl.requests)
		c.MinRequests = min(d.MinRequests, c.MaxRequests)
	}
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

// parseEvent reads the invocation event. An empty payload, null, {} and an
// EventBridge event whose detail is empty (the scheduled event) carry no
// overrides; the detail of any other EventBridge event is read as the
// overrides. Unknown fields are rejected.
func parseEvent(payload []byte) (overrides, error) {
	var o overrides
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return o, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return o, fmt.Errorf(`event: want a JSON object of overrides such as {"pops":["HKG54-C1"]}: %v`, err)
	}
	_, hasType := fields["detail-type"]
	_, hasSource := fields["source"]
	if hasType && hasSource { // an EventBridge event: the overrides are its detail
		payload = bytes.TrimSpace(fields["detail"])
		if len(payload) == 0 || string(payload) == "null" {
			return o, nil
		}
		fields = nil
		if err := json.Unmarshal(payload, &fields); err != nil {
			return o, fmt.Errorf("event detail: want a JSON object of overrides: %v", err)
		}
	}
	// encoding/json matches names regardless of case ("PATH" would set
	// path): check the names exactly first.
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(overrideFields, name) {
			return o, unknownField(strconv.Quote(name))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return overrides{}, eventError(err)
	}
	return o, nil
}

func unknownField(quoted string) error {
	return fmt.Errorf("event: unknown field %s (the fields are %s)", quoted, strings.Join(overrideFields, ", "))
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
