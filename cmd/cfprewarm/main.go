// Command cfprewarm measures and prewarms CloudFront origin connections.
//
// Each subcommand lives in its own file and registers itself with register;
// this file only dispatches and maps errors to exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: flags → library call → reporter.
type command struct {
	name    string
	summary string
	// run parses args and does the work. Returning a usageError exits 2;
	// any other error exits 1 (or the code of an exitError).
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError marks bad input: the process exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError carries a specific exit status with an already-printed outcome.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		// The embedded default: the lab, when it is built in.
		if _, ok := commands["lab"]; ok {
			args = []string{"lab"}
		} else {
			printUsage(stderr)
			return 2
		}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "cfprewarm %s\n", version)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cfprewarm: unknown command %q (see cfprewarm --help)\n", args[0])
		return 2
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	return exitCode(err, c.name, stderr)
}

func exitCode(err error, name string, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ue):
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "cfprewarm %s: %v\n", name, err)
		return 2
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "cfprewarm %s: %s\n", name, ee.msg)
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "cfprewarm %s: %v\n", name, err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "cfprewarm: make infrequent dynamic requests through CloudFront as fast as frequent ones.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: cfprewarm <command> [flags]   (no command runs the lab)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cfprewarm <command> --help' for the flags of one command.")
}
