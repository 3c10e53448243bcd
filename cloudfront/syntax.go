package cloudfront

import (
	"fmt"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// ValidToken reports whether s is an RFC 9110 token: the syntax of header
// names and of Server-Timing metric names.
func ValidToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// ValidHeaderValue reports whether s can be sent as a header value as it is:
// no control characters (CR, LF and NUL among them) other than tab.
func ValidHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// ValidHostname reports whether h is a DNS host name: dot-separated labels
// of letters, digits, '-' and '_' (no label starting or ending with '-'),
// at most 253 characters, and not an IP address. It takes no scheme, port
// or path.
func ValidHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return false
	}
	labels := strings.Split(h, ".")
	for _, label := range labels {
		if !validLabel(label, true) {
			return false
		}
	}
	// An all-numeric last label is an IPv4 address in disguise (127.1).
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// validLabel checks one DNS label: 1 to 63 letters, digits and '-' (and '_'
// when underscore), not starting or ending with '-'.
func validLabel(s string, underscore bool) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || underscore && c == '_') {
			return false
		}
	}
	return true
}

// HeaderErrors checks headers to be sent on a request: every name must be a
// token and no value may hold a line break or another control character
// (a header injection). It returns one error per problem, in name order.
func HeaderErrors(h http.Header) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if !ValidToken(name) {
			errs = append(errs, fmt.Errorf("header %q: not a valid header name", name))
		}
		for _, v := range h[name] {
			if !ValidHeaderValue(v) {
				errs = append(errs, fmt.Errorf("header %s: the value contains a line break or another control character", name))
				break
			}
		}
	}
	return errs
}
