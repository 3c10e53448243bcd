package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

type loadSpec struct {
	addr             string
	request          []byte
	conns            int
	warmup, duration time.Duration
}

// result is what the measured window saw.
type result struct {
	elapsed   time.Duration
	latencies []time.Duration // sorted
	errors    int
	firstErr  error
}

// load runs spec.conns connections until warmup+duration has passed and
// keeps the latencies of the requests sent after the warmup.
func load(ctx context.Context, spec loadSpec) (result, error) {
	begin := time.Now()
	measureFrom := begin.Add(spec.warmup)
	end := measureFrom.Add(spec.duration)
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()

	var (
		mu  sync.Mutex
		res result
		wg  sync.WaitGroup
	)
	for range spec.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat, errs, firstErr := worker(ctx, spec, measureFrom, end)
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = min(time.Since(measureFrom), spec.duration)
	slices.Sort(res.latencies)
	if len(res.latencies) == 0 {
		return res, fmt.Errorf("no request completed: %v", res.firstErr)
	}
	return res, nil
}

// worker sends requests back to back on one connection (a new one after an
// error) and returns the latencies of those sent in [from, end).
func worker(ctx context.Context, spec loadSpec, from, end time.Time) (lat []time.Duration, errs int, firstErr error) {
	lat = make([]time.Duration, 0, 1<<14)
	var d net.Dialer
	for ctx.Err() == nil && time.Now().Before(end) {
		conn, err := d.DialContext(ctx, "tcp", spec.addr)
		if err != nil {
			if ctx.Err() == nil && time.Now().Before(end) {
				errs++
				firstErr = cmp(firstErr, err)
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		conn.SetDeadline(end.Add(5 * time.Second))
		br := bufio.NewReaderSize(conn, 4096)
		for time.Now().Before(end) {
			start := time.Now()
			if _, err = conn.Write(spec.request); err == nil {
				err = readResponse(br)
			}
			if err != nil {
				break
			}
			if !start.Before(from) {
				lat = append(lat, time.Since(start))
			}
		}
		conn.Close()
		if err != nil {
			errs++
			firstErr = cmp(firstErr, err)
		}
	}
	return lat, errs, firstErr
}

func cmp(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

var errNotOK = errors.New("response status is not 200")

// readResponse reads one HTTP/1.1 response with a Content-Length body,
// allocating nothing: the load generator must cost little CPU next to the
// server it measures.
func readResponse(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("%w: %q", errNotOK, bytes.TrimSpace(line))
	}
	length := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 { // "\r\n": end of the header
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && len(name) == len("Content-Length") && bytes.EqualFold(name, []byte("Content-Length")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return fmt.Errorf("bad Content-Length %q", value)
			}
		}
		if ok && bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(bytes.TrimSpace(value), []byte("close")) {
			return errors.New("server closed the connection")
		}
	}
	if length < 0 {
		return errors.New("response without Content-Length")
	}
	_, err = br.Discard(length)
	return err
}

func (r result) percentile(p float64) time.Duration {
	i := int(float64(len(r.latencies))*p/100+0.5) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

func (r result) print(w io.Writer, addr string, conns int) {
	n := len(r.latencies)
	fmt.Fprintf(w, "target %s, %d keep-alive connections, %v measured\n", addr, conns, r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "requests    %d (%d errors)\n", n, r.errors)
	fmt.Fprintf(w, "requests/s  %.0f\n", float64(n)/r.elapsed.Seconds())
	fmt.Fprintf(w, "latency     p50 %v  p90 %v  p99 %v  p99.9 %v  max %v\n",
		r.percentile(50), r.percentile(90), r.percentile(99), r.percentile(99.9), r.latencies[n-1])
	if r.firstErr != nil {
		fmt.Fprintf(w, "first error %v\n", r.firstErr)
	}
}
