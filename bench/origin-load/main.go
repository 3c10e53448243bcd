// Command origin-load measures current-time-app on loopback: a fixed number
// of HTTP/1.1 keep-alive connections each send GET requests back to back
// (closed loop, like wrk) for a duration, then it prints requests/s and
// latency percentiles.
//
// Without -url it starts the origin in process on 127.0.0.1 with its JSON
// access log encoded to nowhere, so the cost of logging is measured too.
// With -url it loads a server already running, e.g. the current-time-app
// binary. Only loopback targets are accepted.
//
//	go run ./bench/origin-load -c 32 -d 10s
//	go run ./bench/origin-load -url http://127.0.0.1:8080/ -c 32 -d 10s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/cfprewarm/cfprewarm/origin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "origin-load:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("origin-load", flag.ContinueOnError)
	target := fs.String("url", "", "http://loopback-host:port/path to load; empty: start the origin in process")
	conns := fs.Int("c", 32, "keep-alive connections, each with one request outstanding")
	duration := fs.Duration("d", 10*time.Second, "measured duration")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before the measurement")
	header := fs.String("H", "", `one extra request header line, e.g. "X-Origin-Verify: secret"`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conns < 1 || *duration <= 0 || *warmup < 0 {
		return errors.New("-c must be at least 1, -d positive, -warmup not negative")
	}

	addr, path := "", "/"
	if *target == "" {
		a, stopOrigin, err := startOrigin(ctx)
		if err != nil {
			return err
		}
		defer stopOrigin()
		addr = a
	} else {
		var err error
		if addr, path, err = loopbackTarget(ctx, *target); err != nil {
			return err
		}
	}

	res, err := load(ctx, loadSpec{
		addr:     addr,
		request:  buildRequest(path, addr, *header),
		conns:    *conns,
		warmup:   *warmup,
		duration: *duration,
	})
	if err != nil {
		return err
	}
	res.print(stdout, addr, *conns)
	return nil
}

// startOrigin serves package origin on 127.0.0.1 with the access log on
// (JSON, discarded) and returns its address and a stop function.
func startOrigin(ctx context.Context) (string, func(), error) {
	cfg := origin.DefaultConfig()
	cfg.DrainPeriod = origin.NoDrain // nothing to drain for: stop at once
	srv, err := origin.NewServer(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return ln.Addr().String(), func() { cancel(); <-done }, nil
}

// loopbackTarget checks that raw is an http URL whose host resolves to
// loopback addresses only and returns host:port and the request path.
func loopbackTarget(ctx context.Context, raw string) (addr, path string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	if u.Scheme != "http" {
		return "", "", fmt.Errorf("-url %q: only http:// is supported", raw)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return "", "", fmt.Errorf("-url %q: %w", raw, err)
	}
	for i, ip := range ips {
		ip = ip.Unmap()
		ips[i] = ip
		if !ip.IsLoopback() {
			return "", "", fmt.Errorf("-url %q: %s is not a loopback address; load tests stay on loopback", raw, ip)
		}
	}
	path = u.RequestURI()
	return net.JoinHostPort(ips[0].String(), port), path, nil
}

func buildRequest(path, host, header string) []byte {
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: origin-load\r\n"
	if header != "" {
		req += header + "\r\n"
	}
	return []byte(req + "\r\n")
}
