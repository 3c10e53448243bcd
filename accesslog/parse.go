package accesslog

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// MaxTTFB is the largest time-to-first-byte, in seconds, a line may have:
// an hour, far beyond CloudFront's longest origin response timeout. A
// line with more (or NaN, or infinity) is a bad line: one such value would
// outweigh every other request in the cold-penalty fit.
const MaxTTFB = 3600

// values holds one line's fields, as text, by field. A field the line does
// not have is nil; "-" (W3C's empty value) counts as absent.
type values struct {
	f [nFields][]byte
}

func (v *values) reset() { v.f = [nFields][]byte{} }

// splitTabs distributes the tab-separated columns of line over v by l and
// returns the number of columns.
func (l *layout) splitTabs(line []byte, v *values) int {
	v.reset()
	col := 0
	for {
		i := bytes.IndexByte(line, '\t')
		tok := line
		if i >= 0 {
			tok = line[:i]
		}
		if col < l.n {
			if f := l.cols[col]; f >= 0 {
				v.f[f] = tok
			}
		}
		col++
		if i < 0 {
			return col
		}
		line = line[i+1:]
	}
}

// maxInterned bounds each parser's table of distinct short strings (POPs,
// methods, hosts, result types): garbage input cannot grow it further.
const maxInterned = 4096

// parser turns values into Records. Each worker has its own: it caches the
// last date and the distinct short strings so that a line allocates
// nothing.
type parser struct {
	interned map[string]string
	pops     map[string]string // POP value → the POP code (cloudfront.NormalizePOPCode), "" when it is none
	lastDate []byte
	lastDay  int64
	dateBuf  [10]byte
}

func newParser() *parser {
	return &parser{interned: map[string]string{}, pops: map[string]string{}}
}

// intern returns b as a string, shared with earlier equal values.
func (p *parser) intern(b []byte) string {
	if s, ok := p.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.interned) < maxInterned {
		p.interned[s] = s
	}
	return s
}

func absent(b []byte) bool { return b == nil || (len(b) == 1 && b[0] == '-') || len(b) == 0 }

// build fills rec from v, or says why the line cannot be used.
func (p *parser) build(v *values, rec *Record) error {
	unix, err := p.when(v)
	if err != nil {
		return err
	}
	pop := v.f[fPOP]
	if absent(pop) {
		return errLine("no x-edge-location")
	}
	raw := p.intern(pop)
	code, seen := p.pops[raw]
	if !seen {
		code, _ = cloudfront.NormalizePOPCode(raw)
		if len(p.pops) < maxInterned {
			p.pops[raw] = code
		}
	}
	if code == "" {
		return errLine(fmt.Sprintf("x-edge-location %q is not a POP code (%s)", clip(pop), cloudfront.POPCodeRule))
	}
	*rec = Record{Unix: unix, POP: code}
	if b := v.f[fMethod]; !absent(b) {
		rec.Method = p.intern(b)
	}
	if b := v.f[fHost]; !absent(b) {
		rec.Host = p.intern(b)
	}
	if b := v.f[fHostHeader]; !absent(b) {
		rec.HostHeader = p.intern(b)
	}
	if b := v.f[fResultType]; !absent(b) {
		rec.ResultType = p.intern(b)
	}
	if b := v.f[fStatus]; !absent(b) {
		if n, ok := atoi(b); ok {
			rec.Status = n
		}
	}
	if b := v.f[fPath]; !absent(b) {
		rec.Path = b
	}
	if b := v.f[fRequestID]; !absent(b) {
		rec.RequestID = b
	}
	if b := v.f[fTTFB]; !absent(b) {
		s, ok := parseSeconds(b)
		if !ok || s < 0 || s > MaxTTFB {
			return errLine(fmt.Sprintf("time-to-first-byte %q is not a number of seconds from 0 to %d", clip(b), MaxTTFB))
		}
		rec.TTFB, rec.HasTTFB = s, true
	}
	if b := v.f[fTimeTaken]; !absent(b) {
		if s, ok := parseSeconds(b); ok && s >= 0 && s <= MaxTTFB {
			rec.TimeTaken, rec.HasTimeTaken = s, true
		}
	}
	if b := v.f[fClientIP]; !absent(b) {
		rec.ClientIP = b
	}
	if b := v.f[fClientPort]; !absent(b) {
		if n, ok := atoi(b); ok && n <= 65535 {
			rec.ClientPort = n
		}
	}
	rec.UserAgent = v.f[fUserAgent]
	if b := v.f[fSCBytes]; !absent(b) {
		// Only the planner's bill reads it: a value that is not a count
		// leaves it unknown rather than the line unusable.
		if n, ok := atoi(b); ok {
			rec.SCBytes, rec.HasSCBytes = int64(n), true
		}
	}
	return nil
}

// MaxUnix is the last second a log line may have, 9999-12-31T23:59:59Z:
// the last a four-digit date can write (JSON and RFC 3339 times have four
// digits); a later timestamp is a bad line.
const MaxUnix = 253402300799

// when returns the request's second from date and time, timestamp(ms) or
// timestamp.
func (p *parser) when(v *values) (int64, error) {
	if d, t := v.f[fDate], v.f[fTime]; !absent(d) && !absent(t) {
		day, ok := p.day(d)
		if !ok {
			return 0, errLine(fmt.Sprintf("date %q is not YYYY-MM-DD", clip(d)))
		}
		sec, ok := clock(t)
		if !ok {
			return 0, errLine(fmt.Sprintf("time %q is not HH:MM:SS", clip(t)))
		}
		return day*86400 + sec, nil
	}
	if b := v.f[fTimestampMs]; !absent(b) {
		ms, ok := parseSeconds(b)
		if !ok || ms < 0 || ms >= (MaxUnix+1)*1000 {
			return 0, errLine(fmt.Sprintf("timestamp(ms) %q is not Unix milliseconds up to 9999-12-31", clip(b)))
		}
		return int64(ms) / 1000, nil
	}
	if b := v.f[fTimestamp]; !absent(b) {
		s, ok := parseSeconds(b)
		if !ok || s < 0 || s >= MaxUnix+1 {
			return 0, errLine(fmt.Sprintf("timestamp %q is not Unix seconds up to 9999-12-31", clip(b)))
		}
		return int64(math.Floor(s)), nil
	}
	return 0, errLine("no date and time")
}

// day parses YYYY-MM-DD into days since 1970-01-01, caching the last one.
func (p *parser) day(b []byte) (int64, bool) {
	if p.lastDate != nil && bytes.Equal(b, p.lastDate) {
		return p.lastDay, true
	}
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := atoi(b[0:4])
	m, ok2 := atoi(b[5:7])
	d, ok3 := atoi(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 || y < 1970 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2026-02-31
		return 0, false
	}
	copy(p.dateBuf[:], b)
	p.lastDate = p.dateBuf[:]
	p.lastDay = t.Unix() / 86400
	return p.lastDay, true
}

// clock parses HH:MM:SS (a fraction after it is ignored) into seconds.
func clock(b []byte) (int64, bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' || (len(b) > 8 && b[8] != '.') {
		return 0, false
	}
	h, ok1 := atoi(b[0:2])
	m, ok2 := atoi(b[3:5])
	s, ok3 := atoi(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, false
	}
	return int64(h*3600 + m*60 + min(s, 59)), true
}

// atoi parses unsigned decimal digits.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseSeconds parses a decimal number such as 0.001 or 1587779100.123
// without allocating; other forms (exponents) go through strconv.
func parseSeconds(b []byte) (float64, bool) {
	var whole, frac uint64
	scale := 1.0
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		whole = whole*10 + uint64(b[i]-'0')
	}
	digits := i
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && scale < 1e15; i++ {
			frac = frac*10 + uint64(b[i]-'0')
			scale *= 10
			digits++
		}
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	}
	if i == len(b) && digits > 0 && digits <= 18 {
		return float64(whole) + float64(frac)/scale, true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// lineError is why one line could not be used.
type lineError string

func (e lineError) Error() string { return string(e) }

func errLine(msg string) error { return lineError(msg) }

// clip shortens a value for a message.
func clip(b []byte) string {
	const max = 40
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
