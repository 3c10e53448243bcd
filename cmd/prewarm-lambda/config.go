package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

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
	cfg       warm.Config
	namespace string // EMF namespace
	level     slog.Level
}

// configure reads the environment, applies the event's overrides and
// validates the result. The error lists every problem.
func configure(getenv func(string) string, payload []byte) (settings, error) {
	var p config.Problems
	s := fromEnv(getenv, &p)
	o, err := parseEvent(payload)
	if err != nil {
		p.AddErr(err)
	} else {
		o.apply(&s.cfg, &p)
	}
	p.AddErr(s.cfg.Validate())
	return s, p.Err("prewarm configuration")
}

// fromEnv reads the environment variables of the table in docs/warm.md.
func fromEnv(getenv func(string) string, p *config.Problems) settings {
	s := settings{namespace: format.DefaultNamespace, level: slog.LevelInfo}
	c := &s.cfg
	c.Distribution = getenv("DISTRIBUTION_DOMAIN") // required, from here or the event: warm.Validate checks
	c.Host = getenv("HOST")
	c.Path = getenv("URL_PATH")
	c.Method = getenv("METHOD")
	c.POPs = splitList(getenv("POPS"))
	c.RequestsPerPOP = envInt(getenv, "REQUESTS_PER_POP", p)
	c.Concurrency = envInt(getenv, "CONCURRENCY", p)
	c.Timeout = envDuration(getenv, "REQUEST_TIMEOUT", p)
	c.Waves = envInt(getenv, "WAVES", p)
	if c.Waves == 0 && getenv("WAVES") == "" {
		c.Waves = defaultWaves
	}
	c.WaveInterval = envDuration(getenv, "WAVE_INTERVAL", p)
	c.KeepAlive = envDuration(getenv, "KEEPALIVE", p)
	c.Port = envInt(getenv, "PORT", p)
	c.IPVersion = envInt(getenv, "IP_VERSION", p)
	c.DNSServer = getenv("DNS_SERVER")
	c.CAFile = getenv("CA_FILE")
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
	return s
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

func envDuration(getenv func(string) string, name string, p *config.Problems) time.Duration {
	return envValue(getenv, name, p, time.ParseDuration, "a duration such as 20s or 1m")
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

// overrides are the fields an invocation event may set; absent fields keep
// the environment's value.
type overrides struct {
	DistributionDomain *string            `json:"distributionDomain"`
	Host               *string            `json:"host"`
	Path               *string            `json:"path"`
	Method             *string            `json:"method"`
	POPs               *[]string          `json:"pops"`
	RequestsPerPOP     *int               `json:"requestsPerPop"`
	Concurrency        *int               `json:"concurrency"`
	RequestTimeout     *string            `json:"requestTimeout"` // Go durations: "20s"
	Waves              *int               `json:"waves"`
	WaveInterval       *string            `json:"waveInterval"`
	KeepAlive          *string            `json:"keepalive"`
	Port               *int               `json:"port"`
	Headers            *map[string]string `json:"headers"` // replaces HEADERS
}

var overrideFields = []string{"distributionDomain", "host", "path", "method", "pops", "requestsPerPop",
	"concurrency", "requestTimeout", "waves", "waveInterval", "keepalive", "port", "headers"}

// apply sets the fields the event gave; it reports durations that do not parse.
func (o overrides) apply(c *warm.Config, p *config.Problems) {
	set(&c.Distribution, o.DistributionDomain)
	set(&c.Host, o.Host)
	set(&c.Path, o.Path)
	set(&c.Method, o.Method)
	set(&c.POPs, o.POPs)
	set(&c.RequestsPerPOP, o.RequestsPerPOP)
	set(&c.Concurrency, o.Concurrency)
	set(&c.Waves, o.Waves)
	set(&c.Port, o.Port)
	setDuration(&c.Timeout, "requestTimeout", o.RequestTimeout, p)
	setDuration(&c.WaveInterval, "waveInterval", o.WaveInterval, p)
	setDuration(&c.KeepAlive, "keepalive", o.KeepAlive, p)
	if o.Headers != nil {
		c.Header = toHeader(*o.Headers)
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func setDuration(dst *time.Duration, field string, v *string, p *config.Problems) {
	if v == nil {
		return
	}
	d, err := time.ParseDuration(*v)
	if err != nil {
		p.Add("event field %q: want a duration such as \"20s\", got %q", field, *v)
		return
	}
	*dst = d
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
		want := map[reflect.Kind]string{reflect.Int: "number", reflect.String: "string",
			reflect.Slice: "list of strings", reflect.Map: "JSON object of strings"}[typeErr.Type.Kind()]
		if want == "" {
			want = "JSON object"
		}
		return fmt.Errorf("event field %q: want a %s, got a JSON %s", typeErr.Field, want, typeErr.Value)
	}
	return fmt.Errorf("event: %w", err)
}
