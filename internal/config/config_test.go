package config

import (
	"errors"
	"testing"
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
