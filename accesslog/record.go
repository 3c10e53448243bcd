package accesslog

import (
	"bytes"
	"strings"
	"time"
)

// Record is one request of a log. The byte slices (Path, RequestID,
// ClientIP, UserAgent) point into the reader's buffer and are valid only
// until the callback returns: copy them to keep them. The strings are safe
// to keep.
type Record struct {
	// Unix is the logged second, Unix time (UTC): CloudFront's date and
	// time (or timestamp) say when the POP finished responding, so the
	// request arrived TimeTaken before it.
	Unix       int64
	POP        string // x-edge-location, e.g. HKG62-C1
	Method     string // cs-method; "" when the log has no such field
	Host       string // cs(Host): the distribution domain
	HostHeader string // x-host-header: the Host the viewer sent
	ResultType string // x-edge-result-type: Miss, Hit, Error, ...
	Status     int    // sc-status; 0 when unknown
	Path       []byte // cs-uri-stem
	RequestID  []byte // x-edge-request-id, the response's x-amz-cf-id
	// TTFB is time-to-first-byte in seconds, when HasTTFB: the time the
	// POP took from receiving the request to sending the first byte.
	TTFB    float64
	HasTTFB bool
	// TimeTaken is time-taken in seconds, when HasTimeTaken: from receiving
	// the request to the last byte of the response. A value that is not a
	// number of seconds from 0 to MaxTTFB is left out (the line is kept).
	TimeTaken    float64
	HasTimeTaken bool
	// ClientIP and ClientPort (c-ip, c-port) name the viewer's connection;
	// nil and 0 when the log has no such field.
	ClientIP   []byte
	ClientPort int
	// UserAgent is cs(User-Agent) as logged (CloudFront escapes it with
	// %XX), "-" when the request had none; nil when the log has no such
	// field.
	UserAgent []byte
	// Source and Line say where the request was read: the source's name
	// and the line (or row) number in it.
	Source string
	Line   int64
	// SCBytes is sc-bytes, the bytes of the response to the viewer,
	// headers included, when HasSCBytes.
	SCBytes    int64
	HasSCBytes bool
}

// Time returns the request's second as a time.Time in UTC.
func (r *Record) Time() time.Time { return time.Unix(r.Unix, 0).UTC() }

// Filter selects the records to keep. The zero Filter keeps every record.
// Within one list any value matches; all the lists given must match.
type Filter struct {
	From, To    time.Time // keep From ≤ time < To; zero means open
	Hosts       []string  // cs(Host) or x-host-header, case-insensitive
	PathPrefix  []string  // cs-uri-stem starts with one of these
	Methods     []string  // cs-method, case-insensitive
	ResultTypes []string  // x-edge-result-type, case-insensitive
}

// matcher is a Filter prepared for byte comparisons.
type matcher struct {
	from, to    int64 // seconds; to 0 means open
	hosts       [][]byte
	prefixes    [][]byte
	methods     [][]byte
	resultTypes [][]byte
	active      bool
}

func newMatcher(f Filter) matcher {
	m := matcher{}
	if !f.From.IsZero() {
		m.from = f.From.Unix()
		if f.From.Nanosecond() > 0 {
			m.from++ // records are whole seconds: a second that began before From is out
		}
		m.active = true
	} else {
		m.from = -1 << 62
	}
	if !f.To.IsZero() {
		m.to = f.To.Unix()
		if f.To.Nanosecond() > 0 {
			m.to++
		}
		m.active = true
	}
	lower := func(ss []string) [][]byte {
		var out [][]byte
		for _, s := range ss {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, []byte(strings.ToLower(s)))
			}
		}
		return out
	}
	m.hosts = lower(f.Hosts)
	m.methods = lower(f.Methods)
	m.resultTypes = lower(f.ResultTypes)
	for _, p := range f.PathPrefix {
		if p != "" {
			m.prefixes = append(m.prefixes, []byte(p))
		}
	}
	m.active = m.active || len(m.hosts)+len(m.prefixes)+len(m.methods)+len(m.resultTypes) > 0
	return m
}

// keep reports whether a parsed line passes the filter.
func (m *matcher) keep(unix int64, v *values) bool {
	if !m.active {
		return true
	}
	if unix < m.from || (m.to != 0 && unix >= m.to) {
		return false
	}
	if len(m.hosts) > 0 && !anyFold(m.hosts, v.f[fHost]) && !anyFold(m.hosts, v.f[fHostHeader]) {
		return false
	}
	if len(m.prefixes) > 0 {
		ok := false
		for _, p := range m.prefixes {
			if bytes.HasPrefix(v.f[fPath], p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(m.methods) > 0 && !anyFold(m.methods, v.f[fMethod]) {
		return false
	}
	if len(m.resultTypes) > 0 && !anyFold(m.resultTypes, v.f[fResultType]) {
		return false
	}
	return true
}

func anyFold(list [][]byte, b []byte) bool {
	for _, s := range list {
		if bytes.EqualFold(s, b) {
			return true
		}
	}
	return false
}
