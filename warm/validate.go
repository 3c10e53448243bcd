package warm

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// ErrInvalidConfig is matched (errors.Is) by every error Validate returns.
var ErrInvalidConfig = errors.New("invalid prewarm configuration")

// ConfigError lists every problem of a Config, one clear message each.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	return ErrInvalidConfig.Error() + ": " + strings.Join(e.Problems, "; ")
}

// Is makes errors.Is(err, ErrInvalidConfig) hold.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Validate checks every field (after defaults) and returns all problems at
// once as a *ConfigError, or nil.
func (c Config) Validate() error {
	c = c.withDefaults()
	var p []string
	add := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }

	if c.Distribution == "" {
		add("distribution: required (the distribution domain, e.g. d111111abcdef8.cloudfront.net)")
	} else if !strings.HasSuffix(c.Distribution, ".cloudfront.net") {
		add("distribution %q: want the distribution domain, e.g. d111111abcdef8.cloudfront.net", c.Distribution)
	} else if _, err := probe.POPHostname(c.Distribution, "HKG54-C1"); err != nil {
		add("distribution %q: want the distribution domain, e.g. d111111abcdef8.cloudfront.net", c.Distribution)
	}
	if c.Host != "" && !validHostname(c.Host) { // "" only when Distribution is missing too
		add("host %q: want a DNS name such as api.example.com (no scheme, port or path)", c.Host)
	}
	if !strings.HasPrefix(c.Path, "/") {
		add("path %q: must start with /", c.Path)
	} else if u, err := url.Parse("https://h" + c.Path); err != nil || u.Host != "h" || strings.ContainsAny(c.Path, " \t\r\n#") {
		add("path %q: not a valid request path", c.Path)
	}
	if c.Method != "GET" && c.Method != "HEAD" {
		add("method %q: want GET or HEAD", c.Method)
	}
	validatePOPs(c.POPs, add)
	checkRange(add, "requests per POP", c.RequestsPerPOP, 1, MaxRequestsPerPOP)
	checkRange(add, "concurrency", c.Concurrency, 1, MaxConcurrency)
	checkRange(add, "waves", c.Waves, 1, MaxWaves)
	checkRange(add, "port", c.Port, 1, 65535)
	checkDuration(add, "request timeout", c.Timeout, MaxTimeout)
	checkDuration(add, "keep-alive", c.KeepAlive, MaxKeepAlive)
	if c.Waves > 1 {
		checkDuration(add, "wave interval", c.WaveInterval, MaxWaveInterval)
		if c.WaveInterval > 0 && c.KeepAlive > 0 && c.WaveInterval >= c.KeepAlive {
			add("wave interval %v: must be shorter than the CloudFront origin keep-alive %v, or the origin connections close between waves", c.WaveInterval, c.KeepAlive)
		}
	}
	if total := c.Waves * len(c.POPs) * c.RequestsPerPOP; c.Waves > 0 && c.RequestsPerPOP > 0 && total > MaxRequestsPerRun {
		add("%d waves × %d POPs × %d requests = %d requests per run: more than the limit of %d", c.Waves, len(c.POPs), c.RequestsPerPOP, total, MaxRequestsPerRun)
	}
	if c.IPVersion != 0 && c.IPVersion != 4 && c.IPVersion != 6 {
		add("IP version %d: want 4, 6 or 0 (both)", c.IPVersion)
	}
	if c.DNSServer != "" {
		if _, err := probe.DNSServerAddr(c.DNSServer); err != nil {
			add("%v", err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Header)) {
		values := c.Header[name]
		switch {
		case !validToken(name):
			add("header %q: not a valid header name", name)
		case strings.EqualFold(name, "Host"):
			add("header Host: set the host instead (it is also the TLS server name)")
		}
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n\x00") {
				add("header %s: value contains a line break", name)
			}
		}
	}
	if c.CAFile != "" && c.RootCAs != nil {
		add("CA file and root CAs: set one, not both")
	}
	if c.MaxBody < 0 || c.MaxBody > MaxBodyLimit {
		add("max body %d: want 0 to %d bytes", c.MaxBody, MaxBodyLimit)
	}
	if len(p) == 0 {
		return nil
	}
	return &ConfigError{Problems: p}
}

func validatePOPs(pops []string, add func(string, ...any)) {
	if len(pops) == 0 {
		add("POPs: at least one POP code is required, e.g. HKG54-C1")
	}
	if len(pops) > MaxPOPs {
		add("POPs: %d codes is more than the limit of %d", len(pops), MaxPOPs)
	}
	seen := map[string]bool{}
	for _, code := range pops {
		switch {
		case !probe.ValidPOPCode(code):
			add("POP %q: does not look like a POP code such as HKG54-C1", code)
		case seen[code]:
			add("POP %s: listed twice", code)
		}
		seen[code] = true
	}
}

func checkRange(add func(string, ...any), what string, v, lo, hi int) {
	if v < lo || v > hi {
		add("%s %d: want %d to %d", what, v, lo, hi)
	}
}

func checkDuration(add func(string, ...any), what string, d, hi time.Duration) {
	if d <= 0 || d > hi {
		add("%s %v: want more than 0 and at most %v", what, d, hi)
	}
}

// validHostname accepts DNS names made of letters, digits, '-' and '_'
// labels separated by dots.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// validToken reports whether s is an RFC 9110 token (a header name).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
