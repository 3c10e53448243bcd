package origin

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log destination the test can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// records returns the logged JSON records whose msg is "request".
func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(s.b.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if rec["msg"] == "request" {
			out = append(out, rec)
		}
	}
	return out
}

func TestAccessLog(t *testing.T) {
	for _, logHealth := range []bool{false, true} {
		t.Run(map[bool]string{false: "health checks left out", true: "health checks logged"}[logHealth], func(t *testing.T) {
			var buf syncBuffer
			cfg := testConfig()
			cfg.LogHealthChecks = logHealth
			s, err := NewServer(cfg, slog.New(slog.NewJSONHandler(&buf, nil)))
			if err != nil {
				t.Fatal(err)
			}
			r := serveLoopback(t, s, nil)

			c := dialRaw(t, r.addr)
			c.get(t, "/")
			c.get(t, "/healthz")
			c.get(t, "/missing")
			recs := buf.records(t)

			wantPaths := []string{"/", "/missing"}
			if logHealth {
				wantPaths = []string{"/", "/healthz", "/missing"}
			}
			if len(recs) != len(wantPaths) {
				t.Fatalf("%d request records, want %d: %v", len(recs), len(wantPaths), recs)
			}
			for i, rec := range recs {
				if rec["path"] != wantPaths[i] || rec["method"] != "GET" || rec["proto"] != "HTTP/1.1" {
					t.Errorf("record %d = %v, want GET %s", i, rec, wantPaths[i])
				}
				if d, ok := rec["duration_ms"].(float64); !ok || d < 0 {
					t.Errorf("record %d duration_ms = %v", i, rec["duration_ms"])
				}
				if rec["remote"] != c.LocalAddr().String() {
					t.Errorf("record %d remote = %v, want %s", i, rec["remote"], c.LocalAddr())
				}
				// One connection: the same id throughout, reused after the first.
				if rec["conn"] != recs[0]["conn"] || rec["conn"] == float64(0) {
					t.Errorf("record %d conn = %v, first was %v", i, rec["conn"], recs[0]["conn"])
				}
				if rec["reused"] != (i > 0) {
					t.Errorf("record %d reused = %v, want %v", i, rec["reused"], i > 0)
				}
			}
			if recs[0]["status"] != float64(200) || recs[len(recs)-1]["status"] != float64(404) {
				t.Errorf("statuses %v and %v, want 200 and 404", recs[0]["status"], recs[len(recs)-1]["status"])
			}
		})
	}
}
