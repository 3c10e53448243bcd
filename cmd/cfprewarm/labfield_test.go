package main

import (
	"strings"
	"testing"
)

// lab serve lists the truth of every POP: the field profile's own
// alternatives, and the flags' for the POPs it says nothing of.
func TestLabServeListsTheTruth(t *testing.T) {
	out, stop := startLabServe(t, "--profile", "field", "--origin-shield", "--host-id", "--pop-keepalive", "fra2=7s")
	stop()
	for _, want := range []string{
		"The truth (what cfprewarm doctor should find):",
		"AMS54-C1  8 hosts, 4 address(es), split, 2 per address; via id per host; pool reuse-freed; keep-alive 1m0s",
		"CDG50-C1  8 hosts, 4 address(es), shared; via id per address",
		"LHR61-C2  8 hosts, 1 address(es), shared; via id constant",
		"MUC50-P1  4 hosts, 1 address(es), shared; via id per host; pool new-if-none-idle; keep-alive 20s",
		"FRA2      4 hosts, 1 address(es), shared; via id per host; pool reuse-freed; keep-alive 7s",
		"every POP reaches the origin through an Origin Shield",
		"/cfprewarm/host-id answers with the edge server's address in X-Cfprewarm-Edge-Server-Ip",
		"-H 'X-Origin-Verify: lab-origin-verify-secret' ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab serve output lacks %q:\n%s", want, out.String())
		}
	}
	out, stop = startLabServe(t, "--addrs", "4", "--split", "--via", "chained", "--pool", "new-if-none-idle", "--hosts", "8")
	stop()
	if want := "HKG62-C1  8 hosts, 4 address(es), split, 2 per address; via id per host, chained; pool new-if-none-idle"; !strings.Contains(out.String(), want) {
		t.Errorf("lab serve output lacks %q:\n%s", want, out.String())
	}
}

func TestLabServeFieldFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--via", "sometimes"}, `--via: unknown via mode "sometimes" (want one of host, request, constant, address, connection, chained)`},
		{[]string{"--pool", "lifo"}, `--pool: unknown pool policy "lifo" (want one of reuse-freed, new-if-none-idle)`},
		{[]string{"--addrs", "4", "--split", "--hosts", "2"}, "split over 4 addresses needs at least as many edge hosts (have 2)"},
		{[]string{"--pop-keepalive", "XYZ1=5s"}, `--pop-keepalive "XYZ1=5s": want CODE=D with a POP of the profile`},
		{[]string{"--pop-keepalive", "HKG62-C1=500ms"}, "D from 1s to 180s"},
	} {
		code, _, stderr := runCLI(append([]string{"lab", "serve"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
