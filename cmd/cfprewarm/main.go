// Command cfprewarm measures and prewarms CloudFront origin connections:
// probe (time one request phase by phase), warm (keep POPs' origin
// connections open), plan (which POPs to prewarm, from access logs), lab
// (the whole system on loopback), lab serve (a lab left running) and lab
// traffic (viewer traffic whose access logs plan reads).
//
// Every command is a row of the table below and lives in a file of its own:
// flags → a library Config → the engine → a reporter, nothing more. This
// file dispatches, prints the overview and the version, and maps errors to
// exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
)

// version may be set at build time with -ldflags "-X main.version=...";
// otherwise the module version and commit the Go toolchain stamps into the
// binary are used (buildInfo).
var version = "dev"

// buildInfo is this binary's build: its version, commit and toolchain.
func buildInfo() buildinfo.Info { return buildinfo.Read(version) }

// command is one subcommand: flags → library call → reporter.
type command struct {
	name    string // one or two words: "probe", "lab serve"
	summary string
	// run parses args and does the work. Returning a usageError exits 2;
	// any other error exits 1 (or the code of an exitError).
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the command table, in the order help lists them.
var commands = []command{
	{"probe", "time HTTPS requests phase by phase and tell whether the POP reused its origin connection", runProbe},
	{"warm", "prewarm CloudFront POPs' origin connections (once, or --every D as a daemon)", runWarm},
	{"plan", "read your CloudFront access logs and plan the prewarming: which POPs, how much, what it costs and saves", runPlan},
	{"doctor", "measure what plan and warm assume on your distribution: edge hosts and their ids, the effective keep-alive, the origin's idle timeout", runDoctor},
	{"lab", "run the whole system on loopback and reproduce the published measurements", runLab},
	{"lab serve", "keep a lab running and print probe, warm and curl commands for it", runLabServe},
	{"lab traffic", "send viewer traffic to the lab's POPs and write their CloudFront access logs (for plan)", runLabTraffic},
	{"version", "print the version", runVersion},
}

// firstCommand is what the overview suggests to try first.
const firstCommand = "cfprewarm lab --quick"

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
	go func() {
		<-ctx.Done()
		// The first signal ends ctx; from then on a signal ends the process
		// at once, unless the command handles the second one (finishing).
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printOverview(stdout)
		return 0
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return 0
	case "--version":
		args[0] = "version"
	}
	c, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(stderr, "cfprewarm: unknown command %q%s (see cfprewarm --help)\n", args[0], didYouMean(args[0], commandWords(), ""))
		return 2
	}
	return exitCode(c.run(ctx, rest, stdout, stderr), c.name, stderr)
}

// lookup finds the command named by the first words of args, the longest
// name first ("lab serve" before "lab"), and returns the remaining args.
func lookup(args []string) (command, []string, bool) {
	var best command
	n := 0
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(words) > n && len(words) <= len(args) && strings.Join(args[:len(words)], " ") == c.name {
			best, n = c, len(words)
		}
	}
	return best, args[n:], n > 0
}

// commandWords are the first words of the commands, and the spellings of
// help and version, for "did you mean".
func commandWords() []string {
	words := []string{"help", "--help", "--version"}
	for _, c := range commands {
		if w := strings.Fields(c.name)[0]; !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
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
	fmt.Fprintf(w, "cfprewarm %s\n", buildInfo())
	fmt.Fprintln(w, "Make infrequent dynamic requests through CloudFront as fast as frequent ones.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: cfprewarm <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cfprewarm <command> --help' for the flags of one command.")
	fmt.Fprintf(w, "New here? Start with '%s' (about 20 s, no AWS account needed).\n", firstCommand)
}

// printOverview is what a bare 'cfprewarm' prints: what the tool is for
// and the first command to try, instead of starting a long run.
func printOverview(w io.Writer) {
	fmt.Fprintf(w, `cfprewarm %s: make infrequent dynamic requests through CloudFront as fast as frequent ones.

A POP closes an idle connection to your origin after the origin keep-alive
timeout (5 s by default), so a rarely used POP pays two extra origin round
trips on every request. cfprewarm raises the keep-alive, keeps the POPs'
origin connections warm with scheduled prewarm requests, and proves it.

Try first (about 20 s, everything on loopback, no AWS account):
  %s

Then:
  cfprewarm lab              the seed's experiment in full (about 1.5 min)
  cfprewarm lab serve        a lab to explore with probe, warm and curl
  cfprewarm probe URL        time one request phase by phase
  cfprewarm warm DIST --pops CODES   prewarm POPs (once, or --every D)
  cfprewarm --help           every command; 'cfprewarm <command> --help' for its flags
`, buildInfo().Short(), firstCommand)
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("takes no arguments")
	}
	fmt.Fprintf(stdout, "cfprewarm %s\n", buildInfo())
	return nil
}
