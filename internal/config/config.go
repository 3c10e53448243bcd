// Package config holds the project's one way of handling a configuration:
// zero fields take their defaults through Default, in one withDefaults per
// Config, and every Validate collects its problems in a Problems list and
// returns Problems.Err, an *Error that names them all, one clear message
// each.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is matched (errors.Is) by every *Error.
var ErrInvalid = errors.New("invalid configuration")

// Error lists every problem of one configuration.
type Error struct {
	Subject  string  // what was checked, e.g. "prewarm configuration"
	Problems []error // one per problem, in the order found
}

// The bounds of Error's text: a configuration read from untrusted input (a
// Lambda event) may have any number of problems, each quoting any amount of
// that input, and the text must stay small enough to log and to return
// (Lambda's response limit is 6 MB).
const (
	MaxShown        = 20  // problems the text lists; the rest are counted
	MaxProblemBytes = 256 // bytes of one problem's text, cut with "…"
)

// Error joins the problems on one line: "invalid SUBJECT: p1; p2". It
// lists the first MaxShown problems, each cut at MaxProblemBytes, then how
// many more there are ("; and 149980 more problems"). Lines has them all.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid " + e.Subject + ": ")
	for i, p := range e.Problems[:min(len(e.Problems), MaxShown)] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(cut(p.Error(), MaxProblemBytes))
	}
	if more := len(e.Problems) - MaxShown; more > 0 {
		b.WriteString("; and " + strconv.Itoa(more) + " more problem")
		if more > 1 {
			b.WriteString("s")
		}
	}
	return b.String()
}

// cut shortens s to at most n bytes, on a character boundary, ending in "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	i := n - len(ellipsis)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + ellipsis
}

// Lines returns one message per problem, every one of them, uncut.
func (e *Error) Lines() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Error()
	}
	return out
}

// Unwrap returns the problems, so errors.Is and errors.As see each of them.
func (e *Error) Unwrap() []error { return e.Problems }

// Is makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Problems collects the problems of a configuration. The zero value is empty and ready.
type Problems struct {
	errs []error
}

// Add records a problem described by a format and its arguments (%w wraps).
func (l *Problems) Add(format string, a ...any) { l.errs = append(l.errs, fmt.Errorf(format, a...)) }

// AddErr records err as a problem, or each of its problems when it is an
// *Error itself; nil is ignored.
func (l *Problems) AddErr(err error) {
	var e *Error
	switch {
	case err == nil:
	case errors.As(err, &e):
		l.errs = append(l.errs, e.Problems...)
	default:
		l.errs = append(l.errs, err)
	}
}

// Range records a problem when v is not within lo..hi.
func (l *Problems) Range(what string, v, lo, hi int) {
	if v < lo || v > hi {
		l.Add("%s %d: want %d to %d", what, v, lo, hi)
	}
}

// Len is the number of problems so far.
func (l *Problems) Len() int { return len(l.errs) }

// Err returns nil when there is no problem and otherwise an *Error about
// subject listing every problem.
func (l *Problems) Err(subject string) error {
	if len(l.errs) == 0 {
		return nil
	}
	return &Error{Subject: subject, Problems: append([]error(nil), l.errs...)}
}

// Default sets *v to def when it is the zero value.
func Default[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
