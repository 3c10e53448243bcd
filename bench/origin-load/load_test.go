package main

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name, raw string
		wantErr   string
	}{
		{"ok", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-type: text/plain\r\n\r\nhello", ""},
		{"lower-case length", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi", ""},
		{"not 200", "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "not 200"},
		{"no length", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "without Content-Length"},
		{"closing", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "closed the connection"},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhi", "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantErr != "" {
				err := readResponse(bufio.NewReader(strings.NewReader(tt.raw)))
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			// Two responses back to back: the first must be consumed exactly.
			br := bufio.NewReader(strings.NewReader(tt.raw + tt.raw))
			if err := readResponse(br); err != nil {
				t.Fatal(err)
			}
			if err := readResponse(br); err != nil {
				t.Fatalf("second response: %v", err)
			}
		})
	}
}

func TestLoopbackTarget(t *testing.T) {
	ctx := context.Background()
	if addr, path, err := loopbackTarget(ctx, "http://127.0.0.1:8080/x?y=1"); err != nil || addr != "127.0.0.1:8080" || path != "/x?y=1" {
		t.Errorf("loopback URL: %q %q %v", addr, path, err)
	}
	if addr, _, err := loopbackTarget(ctx, "http://[::1]/"); err != nil || addr != "[::1]:80" {
		t.Errorf("IPv6 loopback: %q %v", addr, err)
	}
	for _, u := range []string{"http://192.0.2.1:8080/", "https://127.0.0.1/", "http://10.0.0.1/"} {
		if _, _, err := loopbackTarget(ctx, u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
}

func TestLoadInProcess(t *testing.T) {
	addr, stop, err := startOrigin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	res, err := load(context.Background(), loadSpec{
		addr: addr, request: buildRequest("/", addr, ""), conns: 2,
		warmup: 50 * time.Millisecond, duration: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.errors != 0 || len(res.latencies) == 0 || res.percentile(99) < res.percentile(50) {
		t.Errorf("result: %d requests, %d errors (%v), p50 %v p99 %v", len(res.latencies), res.errors, res.firstErr, res.percentile(50), res.percentile(99))
	}
}
