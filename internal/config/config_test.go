package config

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

var errOrder = errors.New("timeouts in the wrong order")

func TestList(t *testing.T) {
	var l Problems
	if l.Err("x") != nil {
		t.Fatal("an empty list is no error")
	}
	l.Add("port %d: out of range", 0)
	l.Range("waves", 61, 1, 60)
	l.Range("waves", 3, 1, 60)
	l.Add("%w: idle 5s", errOrder)
	var inner Problems
	inner.Add("inner one")
	inner.Add("inner two")
	l.AddErr(inner.Err("link"))
	l.AddErr(nil)
	err := l.Err("prewarm configuration")
	want := "invalid prewarm configuration: port 0: out of range; waves 61: want 1 to 60; timeouts in the wrong order: idle 5s; inner one; inner two"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, errOrder) {
		t.Error("errors.Is must see ErrInvalid and every wrapped problem")
	}
	var e *Error
	if !errors.As(err, &e) || len(e.Lines()) != 5 || l.Len() != 5 {
		t.Errorf("lines %v", e.Lines())
	}
}

func TestDefault(t *testing.T) {
	n, d, s := 0, 5, ""
	Default(&n, 60)
	Default(&d, 60)
	Default(&s, "GET")
	if n != 60 || d != 5 || s != "GET" {
		t.Errorf("Default: %d %d %q", n, d, s)
	}
}

// However many problems and however long their texts (a Lambda event
// quoting megabytes of bad input), the text stays bounded: the first
// MaxShown problems, each cut, and a count of the rest. Lines keeps all.
func TestErrorTextIsBounded(t *testing.T) {
	var l Problems
	long := errors.New("POP " + strings.Repeat("é", 100_000) + ": does not look like a POP code") // é is two bytes: cuts land mid-character
	for range 150_000 {
		l.AddErr(long)
	}
	err := l.Err("prewarm configuration")
	text := err.Error()
	if max := len("invalid prewarm configuration: ") + MaxShown*(MaxProblemBytes+2) + 40; len(text) > max {
		t.Errorf("%d bytes of error text, want at most %d", len(text), max)
	}
	if !utf8.ValidString(text) || !strings.HasSuffix(text, "…; and 149980 more problems") ||
		strings.Count(text, "does not look like") != 0 || strings.Count(text, "…") != MaxShown {
		t.Errorf("text %q…%q: want %d problems, each cut on a character boundary, and a count of the rest",
			text[:80], text[len(text)-80:], MaxShown)
	}
	var e *Error
	if !errors.As(err, &e) || len(e.Lines()) != 150_000 || len(e.Lines()[0]) < 200_000 {
		t.Error("Lines must keep every problem, uncut")
	}
	l = Problems{}
	for i := range MaxShown + 1 {
		l.Add("p%d", i)
	}
	if got := l.Err("x").Error(); !strings.HasSuffix(got, "; p19; and 1 more problem") {
		t.Errorf("%q", got)
	}
}
