#!/bin/sh
# Loads the current-time-app binary (separate process, access log to
# /dev/null) on loopback with the Go load generator and, when installed,
# with wrk (apt-get install wrk). Usage: bench/origin-load/run.sh [conns] [duration]
set -eu
conns=${1:-32}
duration=${2:-10s}
port=${PORT:-18080}
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$bin"' EXIT

go build -o "$bin/current-time-app" ./cmd/current-time-app
go build -o "$bin/origin-load" ./bench/origin-load
"$bin/current-time-app" --listen "127.0.0.1:$port" --drain-period 1s >/dev/null &
pid=$!
sleep 0.5

echo "== origin-load (Go, closed loop, $conns connections, $duration)"
"$bin/origin-load" -url "http://127.0.0.1:$port/" -c "$conns" -d "$duration"
if command -v wrk >/dev/null; then
	echo "== wrk (1 thread, $conns connections, $duration)"
	wrk -t1 -c"$conns" -d"$duration" --latency "http://127.0.0.1:$port/"
fi
