//go:build unix

package origin

import (
	"syscall"
	"testing"
)

func TestRaiseOpenFileLimit(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Max < 512 {
		t.Skip("no room to lower the limit:", lim, err)
	}
	lowered := lim
	lowered.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	got, err := RaiseOpenFileLimit()
	if err != nil || got != uint64(lim.Max) {
		t.Errorf("RaiseOpenFileLimit = %d, %v; want the hard limit %d", got, err, lim.Max)
	}
}
