package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Signals: the first SIGINT or SIGTERM ends the context every command
// runs with (main); a second one ends the process at once (main restores
// the signals' default action), except while a command finishes up with
// finishing, which takes the second signal itself.

// finishing returns the context of work that finishes up after the first
// SIGINT or SIGTERM (ctx done): it ends only on a second signal. When ctx
// ends, msg is printed on stderr. Signals are counted from the start, so a
// quick double Ctrl-C is not lost. Call done before returning: it stops
// the watcher, which writes to stderr, and waits for it.
func finishing(ctx context.Context, stderr io.Writer, msg string) (hard context.Context, done func()) {
	hard, abort := context.WithCancel(context.WithoutCancel(ctx))
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		sigs := make(chan os.Signal, 2)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sigs)
		first := ctx.Done()
		for n := 0; ; {
			select {
			case <-hard.Done():
				return
			case <-first:
				first = nil
				fmt.Fprintln(stderr, msg)
			case <-sigs:
				if n++; n >= 2 {
					abort()
					return
				}
			}
		}
	}()
	return hard, func() { abort(); <-watching }
}
