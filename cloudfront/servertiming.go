package cloudfront

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Server-Timing metrics CloudFront adds (Developer Guide, "Understanding
// response headers policies").
const (
	MetricUpstreamLayer   = "cdn-upstream-layer"   // desc: EDGE, REC or Origin Shield
	MetricUpstreamDNS     = "cdn-upstream-dns"     // dur: origin DNS time
	MetricUpstreamConnect = "cdn-upstream-connect" // dur: origin TCP+TLS; 0 means a reused connection
	MetricUpstreamFBL     = "cdn-upstream-fbl"     // dur: origin first-byte latency
	MetricDownstreamFBL   = "cdn-downstream-fbl"   // dur: request received → first byte sent
	MetricCacheMiss       = "cdn-cache-miss"
	MetricPOP             = "cdn-pop" // desc: the POP code
	MetricRequestID       = "cdn-rid" // desc: the request id
)

// Metric is one Server-Timing metric (W3C Server Timing): a name with an
// optional duration in milliseconds, an optional description and any other
// parameters, kept as they came.
type Metric struct {
	Name   string            `json:"name"`
	Dur    float64           `json:"dur_ms,omitempty"`
	HasDur bool              `json:"has_dur,omitempty"`
	Desc   string            `json:"desc,omitempty"`
	Params map[string]string `json:"params,omitempty"` // parameters other than dur and desc
}

// Duration is a metric with a duration.
func Duration(name string, ms float64) Metric { return Metric{Name: name, Dur: ms, HasDur: true} }

// Description is a metric with a description.
func Description(name, desc string) Metric { return Metric{Name: name, Desc: desc} }

// FormatServerTiming writes metrics as one Server-Timing header value, in
// CloudFront's style: name;dur=N;desc="text", metrics joined by ",", every
// description quoted, other parameters after them in name order. What it
// writes, ParseServerTiming reads back unchanged.
func FormatServerTiming(ms []Metric) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m.Name)
		if m.HasDur {
			b.WriteString(";dur=")
			b.WriteString(strconv.FormatFloat(m.Dur, 'f', -1, 64))
		}
		if m.Desc != "" {
			b.WriteString(";desc=")
			writeQuoted(&b, m.Desc)
		}
		for _, k := range slices.Sorted(maps.Keys(m.Params)) {
			b.WriteByte(';')
			b.WriteString(k)
			if v := m.Params[k]; v != "" {
				b.WriteByte('=')
				if ValidToken(v) {
					b.WriteString(v)
				} else {
					writeQuoted(&b, v)
				}
			}
		}
	}
	return b.String()
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// ParseServerTiming parses the value of one or more Server-Timing headers
// (join several with ","). It never fails: malformed pieces are skipped or
// kept as far as they parse, and unknown metrics are kept.
func ParseServerTiming(header string) []Metric {
	var out []Metric
	p := stParser{s: header}
	for !p.done() {
		p.skipSpace()
		name := p.token()
		if name == "" {
			p.skipTo(',')
			p.next() // the comma
			continue
		}
		m := Metric{Name: name}
		for {
			p.skipSpace()
			if p.done() || p.peek() == ',' {
				break
			}
			if p.peek() != ';' {
				p.skipTo(',') // garbage after the metric: ignore up to the next metric
				break
			}
			p.next()
			p.skipSpace()
			key := strings.ToLower(p.token())
			p.skipSpace()
			val := ""
			if !p.done() && p.peek() == '=' {
				p.next()
				p.skipSpace()
				val = p.value()
			}
			if key == "" {
				continue
			}
			switch key {
			case "dur":
				if m.HasDur { // first occurrence wins, as the spec says
					continue
				}
				if d, err := strconv.ParseFloat(val, 64); err == nil && d >= 0 && d < 1e12 {
					m.Dur, m.HasDur = d, true
				}
			case "desc":
				if m.Desc == "" {
					m.Desc = val
				}
			default:
				if m.Params == nil {
					m.Params = map[string]string{}
				}
				if _, seen := m.Params[key]; !seen {
					m.Params[key] = val
				}
			}
		}
		out = append(out, m)
		p.skipTo(',')
		p.next()
	}
	return out
}

// stParser is a tiny cursor over a Server-Timing header value.
type stParser struct {
	s string
	i int
}

func (p *stParser) done() bool { return p.i >= len(p.s) }
func (p *stParser) peek() byte { return p.s[p.i] }
func (p *stParser) next() {
	if !p.done() {
		p.i++
	}
}

func (p *stParser) skipSpace() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// skipTo moves to the next c that is not inside a quoted string.
func (p *stParser) skipTo(c byte) {
	for !p.done() && p.s[p.i] != c {
		if p.s[p.i] == '"' {
			p.quoted()
			continue
		}
		p.i++
	}
}

// token reads an RFC 9110 token.
func (p *stParser) token() string {
	start := p.i
	for !p.done() && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a token or a quoted string.
func (p *stParser) value() string {
	if !p.done() && p.peek() == '"' {
		return p.quoted()
	}
	return p.token()
}

// quoted reads a quoted string starting at '"', resolving backslash escapes.
func (p *stParser) quoted() string {
	p.i++ // opening quote
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String()
		case '\\':
			if !p.done() {
				b.WriteByte(p.s[p.i])
				p.i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
