// Command current-time-app is the sample CloudFront origin: package origin
// behind flags and environment variables, with graceful shutdown on SIGTERM
// and SIGINT. See docs/origin.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/origin"
	"github.com/spf13/pflag"
)

// version may be set at build time with -ldflags "-X main.version=...";
// otherwise the module version and commit the Go toolchain stamps into the
// binary are used (internal/buildinfo).
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the process at once
	}()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: 0 after a graceful shutdown, 2 for bad
// configuration (every problem, one line each), 1 when serving fails (one
// line on stderr besides the JSON log record).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, getenv, os.ReadFile, stdout)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err == nil && opts.version {
		fmt.Fprintln(stdout, "current-time-app", buildinfo.Read(version))
		return 0
	}
	// The values that did parse are checked too, so that one run names
	// every problem.
	if verr := opts.cfg.Validate(); verr != nil || err != nil {
		if err != nil {
			printErrors(stderr, err)
		}
		if verr != nil {
			printErrors(stderr, verr)
		}
		return 2
	}

	logger := slog.New(slog.NewJSONHandler(stdout, nil))
	cfg, err := fitOpenFiles(opts.cfg, logger)
	if err != nil {
		printErrors(stderr, err)
		return 2
	}
	srv, err := origin.NewServer(cfg, logger)
	if err != nil {
		printErrors(stderr, err)
		return 2
	}
	if err := srv.ListenAndServe(ctx); err != nil {
		logger.Error("exit", slog.String("error", err.Error()))
		fmt.Fprintln(stderr, "current-time-app:", err)
		return 1
	}
	return 0
}

// fitOpenFiles raises the soft open-file limit to the hard one and lowers
// the connection cap to fit it, saying so in the log.
func fitOpenFiles(cfg origin.Config, logger *slog.Logger) (origin.Config, error) {
	limit, err := origin.RaiseOpenFileLimit()
	if err != nil {
		logger.Warn("open-file limit not raised", slog.String("error", err.Error()), slog.Uint64("limit", limit))
	}
	cfg, note, err := cfg.FitOpenFiles(limit)
	if note != "" {
		logger.Warn(note, slog.Uint64("open_file_limit", limit), slog.Int("max_connections", cfg.MaxConnections))
	}
	return cfg, err
}

// printErrors writes one line per problem: each of a *config.Error's, or
// each line of another error (errors.Join puts one per line).
func printErrors(w io.Writer, err error) {
	lines := strings.Split(err.Error(), "\n")
	var ce *config.Error
	if errors.As(err, &ce) {
		lines = ce.Lines()
	}
	for _, line := range lines {
		fmt.Fprintln(w, "current-time-app:", line)
	}
}
