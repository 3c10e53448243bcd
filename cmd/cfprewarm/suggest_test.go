package main

import "testing"

func TestClosest(t *testing.T) {
	commands := []string{"probe", "warm", "plan", "lab", "version", "help"}
	warmFlags := []string{"pops", "host", "path", "port", "requests", "wave-interval", "waves", "every", "keepalive"}
	for _, tc := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"prob", commands, "probe"},
		{"wram", commands, "warm"},
		{"plna", commands, "plan"},
		{"versoin", commands, "version"},
		{"pop", warmFlags, "pops"},
		{"wave-intervl", warmFlags, "wave-interval"},
		{"keep-alive", warmFlags, "keepalive"},
		{"request", warmFlags, "requests"},
		{"wave", warmFlags, "waves"},
		{"deploy", commands, ""}, // nothing near
		{"p", warmFlags, ""},     // too short to tell
		{"pa", warmFlags, "path"},
		{"pot", warmFlags, "port"},
		{"wav", warmFlags, ""}, // waves or wave-interval?
		{"hots", warmFlags, "host"},
		{"pors", warmFlags, ""}, // port and pops are one edit away
		{"", commands, ""},
	} {
		if got := closest(tc.word, tc.candidates); got != tc.want {
			t.Errorf("closest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}
