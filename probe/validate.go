package probe

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// ErrInvalidConfig is wrapped by every error Validate returns.
var ErrInvalidConfig = errors.New("invalid probe configuration")

// Validate checks every field and returns all problems at once, each as one
// line, joined; errors.Is(err, ErrInvalidConfig) holds for the result.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

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
		if p := u.Port(); p != "" && !validPort(p) {
			add("bad URL %q: port %q out of range", c.URL, p)
		}
	}
	switch strings.ToUpper(c.Method) {
	case "", "GET", "HEAD":
	default:
		add("method %q not supported (GET or HEAD)", c.Method)
	}
	for _, r := range c.Resolve {
		if _, err := parseResolve(r); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range c.ConnectTo {
		if _, err := parseConnectTo(r); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Address != "" {
		if _, port, err := net.SplitHostPort(c.Address); err != nil || !validPort(port) {
			add("address %q: want ip:port", c.Address)
		}
	}
	switch c.Network {
	case "", "tcp", "tcp4", "tcp6":
	default:
		add("network %q: want tcp, tcp4 or tcp6", c.Network)
	}
	if c.DNSServer != "" {
		if _, err := DNSServerAddr(c.DNSServer); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Timeout < 0 {
		add("timeout %v must not be negative", c.Timeout)
	}
	if c.MaxBody < 0 {
		add("max body %d must not be negative", c.MaxBody)
	}
	if c.Count < 0 {
		add("count %d must not be negative", c.Count)
	}
	if c.Interval < 0 {
		add("interval %v must not be negative", c.Interval)
	}
	if c.Interval > 24*time.Hour {
		add("interval %v is longer than a day", c.Interval)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}
