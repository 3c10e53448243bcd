package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// onSecondSignal calls first once ctx is done (the first SIGINT or
// SIGTERM: the command stops what it was doing and finishes up), and
// cancels the finishing up (abort) on a second one. Signals are counted
// from the start, so a quick double Ctrl-C is not lost. It returns when
// hard is done.
func onSecondSignal(ctx, hard context.Context, abort context.CancelFunc, first func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := ctx.Done()
	for n := 0; ; {
		select {
		case <-hard.Done():
			return
		case <-done:
			done = nil
			first()
		case <-sigs:
			if n++; n >= 2 {
				abort()
				return
			}
		}
	}
}
