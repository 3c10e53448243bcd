package probe

import (
	"net"
	"net/url"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Validate checks every field (after defaults) and returns all problems at
// once as a *config.Error, or nil.
func (c Config) Validate() error { return c.withDefaults().validate() }

// validate checks a Config whose defaults are applied.
func (c Config) validate() error {
	var p config.Problems
	add := p.Add

	if c.URL == "" {
		add("a URL is required")
	} else if u, err := url.Parse(c.URL); err != nil {
		add("bad URL %q: %v", c.URL, cleanError(err))
	} else {
		switch u.Scheme {
		case "https", "http":
		case "":
			add("bad URL %q: no scheme (want https://host/path)", c.URL)
		default:
			add("unsupported scheme %q in %q (want https or http)", u.Scheme, c.URL)
		}
		if u.Hostname() == "" && u.Scheme != "" {
			add("bad URL %q: no host", c.URL)
		}
		if port := u.Port(); port != "" && !validPort(port) {
			add("bad URL %q: port %q out of range", c.URL, port)
		}
	}
	switch c.Method {
	case "GET", "HEAD":
	default:
		add("method %q not supported (GET or HEAD)", c.Method)
	}
	for _, err := range cloudfront.HeaderErrors(c.Header) {
		p.AddErr(err)
	}
	if !cloudfront.ValidHeaderValue(c.UserAgent) {
		add("user agent: contains a line break or another control character")
	}
	for _, r := range c.Resolve {
		_, err := parseResolve(r)
		p.AddErr(err)
	}
	for _, r := range c.ConnectTo {
		_, err := parseConnectTo(r)
		p.AddErr(err)
	}
	if c.Address != "" {
		if _, port, err := net.SplitHostPort(c.Address); err != nil || !validPort(port) {
			add("address %q: want ip:port", c.Address)
		}
	}
	switch c.Network {
	case "tcp", "tcp4", "tcp6":
	default:
		add("network %q: want tcp, tcp4 or tcp6", c.Network)
	}
	if c.DNSServer != "" {
		_, err := DNSServerAddr(c.DNSServer)
		p.AddErr(err)
	}
	if c.Count < 0 {
		add("count %d must not be negative", c.Count)
	}
	if c.Timeout < 0 {
		add("timeout %v must not be negative", c.Timeout)
	}
	if c.HostIDHeader != "" && !cloudfront.ValidToken(c.HostIDHeader) {
		add("host id header %q: not a valid header name", c.HostIDHeader)
	}
	if c.MaxBody < 0 {
		add("max body %d must not be negative", c.MaxBody)
	}

	if c.Interval < 0 {
		add("interval %v must not be negative", c.Interval)
	}
	if c.Interval > 24*time.Hour {
		add("interval %v is longer than a day", c.Interval)
	}
	return p.Err("probe configuration")
}
