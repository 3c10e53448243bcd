package plan

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
)

// PrewarmAgents are the User-Agents the plan always takes for prewarm
// requests: cfprewarm's own (warm, the prewarm Lambda).
var PrewarmAgents = []string{buildinfo.PrewarmUserAgentPattern}

// agentKind is how a User-Agent pattern matches.
type agentKind int

const (
	agentSubstring agentKind = iota // anywhere in the User-Agent
	agentExact                      // the whole User-Agent (=TEXT)
	agentGlob                       // the whole User-Agent, * any text, ? one character
	agentNone                       // no User-Agent (-)
)

type agentPattern struct {
	kind agentKind
	text []byte // lower case
}

// agents recognises prewarm requests by their User-Agent: a request whose
// User-Agent matches one of the patterns is a prewarm request. Matching is
// case-insensitive (ASCII letters) and on the User-Agent as sent: the %XX escapes
// CloudFront writes in its logs are undone first.
type agents struct {
	pats    []agentPattern
	scratch []byte
}

// maxAgentPattern bounds a pattern's length.
const maxAgentPattern = 1000

// parseAgents reads patterns, the form of --exclude-user-agent: "-" for
// requests with no User-Agent, =TEXT for exactly TEXT, a pattern with * or
// ? for a glob over the whole User-Agent, anything else for a substring.
func parseAgents(patterns []string) (agents, error) {
	var a agents
	for _, p := range patterns {
		var pat agentPattern
		switch {
		case p == "-":
			pat.kind = agentNone
		case strings.HasPrefix(p, "="):
			pat.kind, pat.text = agentExact, lowerASCII([]byte(p[1:]))
		case strings.ContainsAny(p, "*?"):
			pat.kind, pat.text = agentGlob, lowerASCII([]byte(p))
		default:
			pat.kind, pat.text = agentSubstring, lowerASCII([]byte(p))
		}
		if len(p) > maxAgentPattern || (pat.kind != agentNone && len(pat.text) == 0) {
			return agents{}, fmt.Errorf("User-Agent pattern %q: want -, =TEXT, a glob with * or ?, or text to find (at most %d bytes)", clip(p), maxAgentPattern)
		}
		a.pats = append(a.pats, pat)
	}
	return a, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// match reports whether a logged User-Agent (nil: the log has no such
// field, which matches nothing) is a prewarmer's. Not safe for concurrent
// use: each reader worker has its own agents.
func (a *agents) match(logged []byte) bool {
	if logged == nil || len(a.pats) == 0 {
		return false
	}
	none := len(logged) == 0 || (len(logged) == 1 && logged[0] == '-')
	ua := a.unescape(logged)
	for _, p := range a.pats {
		var ok bool
		switch p.kind {
		case agentNone:
			ok = none
		case agentExact:
			ok = !none && bytes.Equal(ua, p.text)
		case agentSubstring:
			ok = !none && bytes.Contains(ua, p.text)
		case agentGlob:
			ok = !none && glob(p.text, ua)
		}
		if ok {
			return true
		}
	}
	return false
}

// unescape returns the User-Agent with %XX escapes undone (twice at most:
// CloudFront escapes some characters twice) and in lower case, in a buffer
// of a's own.
func (a *agents) unescape(b []byte) []byte {
	a.scratch = append(a.scratch[:0], b...)
	for range 2 {
		if bytes.IndexByte(a.scratch, '%') < 0 {
			break
		}
		out := a.scratch[:0]
		for i := 0; i < len(a.scratch); i++ {
			c := a.scratch[i]
			if c == '%' && i+2 < len(a.scratch) && isHex(a.scratch[i+1]) && isHex(a.scratch[i+2]) {
				c = unhex(a.scratch[i+1])<<4 | unhex(a.scratch[i+2])
				i += 2
			}
			out = append(out, c)
		}
		a.scratch = out
	}
	return lowerASCII(a.scratch)
}

// lowerASCII turns b's ASCII capitals to lower case, in place: User-Agents
// are compared byte by byte, whatever their encoding.
func lowerASCII(b []byte) []byte {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// glob matches s against pattern p in whole: * any run of bytes, ? one
// byte. It backtracks only to the last *, so it runs in O(len(p)·len(s)).
func glob(p, s []byte) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
