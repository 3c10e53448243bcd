package lambdaenv

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/warm"
)

// Settings is what the Lambda's environment configures: the prewarm run
// and what the handler does around it.
type Settings struct {
	// Config is the run. Its zero fields take warm's defaults, except Waves
	// and WaveInterval, which Parse sets to the Lambda's own (ruleDefaults)
	// when WAVES or WAVE_INTERVAL is unset.
	Config warm.Config
	// Period is the aligned grid's period (PERIOD); 0: the keep-alive less
	// schedule.DefaultMargin (Settings.Aligned).
	Period time.Duration
	// Scheduled is the time the invocation stands for, from the event's
	// scheduledTime (EventBridge Scheduler's <aws.scheduler.scheduled-time>);
	// zero when the event has none. With it the invocation sends the slots
	// of the aligned grid it owns; without, WAVES waves.
	Scheduled time.Time
	// HostsFile is read by the handler (once per process) into
	// Config.KnownHosts.
	HostsFile string
	// Namespace of the EMF metrics; "" is warm/format's default.
	Namespace string
	// Metrics is which EMF metrics per POP (METRICS); "" is lean.
	Metrics warm.MetricLevel
	// LogLevel of the handler's log; the zero value is info.
	LogLevel slog.Level
	// LogRequests logs every request's record.
	LogRequests bool
	// EventOverrides are the target fields (TargetFields) an invocation
	// event may change.
	EventOverrides []string
}

// Parse reads the environment (getenv is os.Getenv, or a map's lookup):
// the variables of docs/warm.md's table, each checked as text. A variable
// set to 0 is refused (warm.ErrZero), and so are the settings only
// automatic sizing reads when REQUESTS_PER_POP is a number. It does not
// validate the whole configuration (an event may still supply a required
// setting): Configure does. The Settings are returned with every value
// that parsed, even when the error lists problems.
func Parse(getenv func(string) string) (Settings, error) {
	var p config.Problems
	r := reader{getenv, &p}
	s := Settings{}
	c := &s.Config
	c.Distribution = getenv(VarDistribution) // required: warm's validation says so
	c.Host = getenv(VarHost)
	c.Path = getenv(VarPath)
	c.Method = getenv(VarMethod)
	c.POPs = splitList(getenv(VarPOPs))
	if v := r.text(VarRequestsPerPOP); v != "" {
		n, auto, err := warm.ParseRequests(v)
		r.check(VarRequestsPerPOP, v, err)
		c.RequestsPerPOP, c.Auto = n, auto
	}
	c.Coverage = value(r, VarCoverage, warm.ParseCoverage)
	c.MinRequests = r.count(VarMinRequests)
	c.MaxRequests = r.count(VarMaxRequests)
	c.Adapt = value(r, VarAdapt, parseBool)
	c.Hosts = r.count(VarHosts)
	s.HostsFile = getenv(VarHostsFile)
	c.HostIDHeader = value(r, VarHostIDHeader, parseHeaderName)
	c.Concurrency = r.count(VarConcurrency)
	c.Timeout = r.duration(VarRequestTimeout)
	c.Waves = r.count(VarWaves)
	c.WaveInterval = r.duration(VarWaveInterval)
	c.KeepAlive = r.duration(VarKeepAlive)
	*c = ruleDefaults(*c)
	s.Period = r.duration(VarPeriod)
	c.Port = r.count(VarPort)
	c.IPVersion = value(r, VarIPVersion, atoi)
	c.DNSServer = getenv(VarDNSServer)
	c.CAFile = getenv(VarCAFile)
	c.TLSVersion = value(r, VarTLSVersion, warm.ParseTLSVersion)
	for _, v := range splitList(getenv(VarClientSubnets)) {
		if sn, err := warm.ParseClientSubnet(v); err != nil {
			p.Add("%s %q: %v", VarClientSubnets, v, err)
		} else {
			c.ClientSubnets = append(c.ClientSubnets, sn)
		}
	}
	if v := getenv(VarHeaders); v != "" {
		var h map[string]string
		if err := json.Unmarshal([]byte(v), &h); err != nil {
			p.Add(`%s: want a JSON object such as {"X-Prewarm":"1"}: %v`, VarHeaders, err)
		}
		c.Header = toHeader(h)
	}
	s.Namespace = getenv(VarNamespace)
	s.Metrics = value(r, VarMetrics, warm.ParseMetricLevel)
	if v := r.text(VarLogLevel); v != "" {
		if err := s.LogLevel.UnmarshalText([]byte(v)); err != nil {
			p.Add("%s %q: want debug, info, warn or error", VarLogLevel, v)
		}
	}
	s.LogRequests = value(r, VarLogRequests, parseBool)
	for _, f := range splitList(getenv(VarEventOverrides)) {
		if !slices.Contains(TargetFields, f) {
			p.Add("%s: %q is not a target field (they are %s)", VarEventOverrides, f, strings.Join(TargetFields, ", "))
		}
		s.EventOverrides = append(s.EventOverrides, f)
	}
	for _, field := range s.needsAuto() {
		p.Add("%s: %v", autoOnlyVars[field], errNeedsAuto(VarRequestsPerPOP+"="+warm.Auto))
	}
	return s, p.Err("prewarm configuration")
}

// autoOnlyVars are the variables of warm's settings only automatic sizing
// reads (warm.Config.NeedsAuto).
var autoOnlyVars = map[string]string{
	warm.FieldCoverage: VarCoverage, warm.FieldMinRequests: VarMinRequests, warm.FieldMaxRequests: VarMaxRequests,
	warm.FieldAdapt: VarAdapt, warm.FieldKnownHosts: VarHostsFile,
}

// needsAuto is warm.Config.NeedsAuto with the hosts file the handler will
// read counted as the known hosts it becomes.
func (s Settings) needsAuto() []string {
	c := s.Config
	if s.HostsFile != "" && c.KnownHosts == nil {
		c.KnownHosts = map[string]edgehosts.Estimate{}
	}
	return c.NeedsAuto()
}

func errNeedsAuto(how string) error {
	return errors.New("needs automatic requests per POP (" + how + ")")
}

// reader reads variables as text, recording each problem.
type reader struct {
	getenv func(string) string
	p      *config.Problems
}

func (r reader) text(name string) string { return strings.TrimSpace(r.getenv(name)) }

// value parses the variable if it is set; a value that does not parse is a
// problem.
func value[T any](r reader, name string, parse func(string) (T, error)) T {
	s := r.text(name)
	if s == "" {
		var zero T
		return zero
	}
	v, err := parse(s)
	r.check(name, s, err)
	return v
}

// check records a variable's problem, if any: VAR "text": what is wanted,
// or VAR 0: must not be 0.
func (r reader) check(name, text string, err error) {
	switch {
	case err == nil:
	case errors.Is(err, warm.ErrZero):
		r.p.Add("%s %s: %v", name, text, err)
	default:
		r.p.Add("%s %q: %v", name, text, err)
	}
}

// count is a whole number that is not 0 (warm.ErrZero).
func (r reader) count(name string) int {
	return value(r, name, func(s string) (int, error) {
		n, err := atoi(s)
		if err == nil && n == 0 {
			err = warm.ErrZero
		}
		return n, err
	})
}

// duration is a Go duration that is not 0 (warm.ErrZero).
func (r reader) duration(name string) time.Duration {
	return value(r, name, func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("want a duration such as 20s or 1m")
		}
		if d == 0 {
			return 0, warm.ErrZero
		}
		return d, nil
	})
}

func atoi(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("want a whole number")
	}
	return n, nil
}

// parseHeaderName is a response header's name, checked as warm's
// --host-id-header is.
func parseHeaderName(s string) (string, error) {
	if !cloudfront.ValidToken(s) {
		return "", errors.New("want a header name such as " + cloudfront.HeaderEdgeServerIP)
	}
	return s, nil
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, errors.New("want true or false")
	}
	return b, nil
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
