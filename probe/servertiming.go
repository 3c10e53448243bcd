package probe

import (
	"strconv"
	"strings"
	"time"
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

// The CloudFront metric that tells origin connection reuse.
const upstreamConnect = "cdn-upstream-connect"

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

// OriginFromMetrics reads cdn-upstream-connect: dur=0 means the POP reused an
// origin connection, dur>0 that it opened one. It returns the connect time.
func OriginFromMetrics(ms []Metric) (OriginConn, time.Duration) {
	for _, m := range ms {
		if !strings.EqualFold(m.Name, upstreamConnect) || !m.HasDur {
			continue
		}
		d := time.Duration(m.Dur * float64(time.Millisecond))
		if m.Dur == 0 {
			return OriginWarm, 0
		}
		return OriginCold, d
	}
	return OriginUnknown, 0
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

// token reads an RFC 7230 token.
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

func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
