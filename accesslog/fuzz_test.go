package accesslog

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// FuzzW3CLine feeds the W3C line parser any header and line: it never
// panics, a line it accepts has a POP code and a time, and a line written
// by AppendW3C always reads back as written.
func FuzzW3CLine(f *testing.F) {
	head := strings.Join(LegacyFields, " ")
	line := AppendW3C(nil, entries(1)[0])
	f.Add(head, string(line[:len(line)-1]))
	f.Add(head, "2026-11-01\t25:00:00\tHKG62-C1")
	f.Add("date time x-edge-location time-to-first-byte", "2026-11-01\t10:00:00\tHKG62-C1\t0.5")
	f.Add("timestamp x-edge-location", "1e3\tFRA56-P3")
	f.Add("date time x-edge-location", "2026-02-31\t00:00:00\tFRA56-P3")
	f.Add("x-edge-location x-edge-location date time", "A\tHKG62-C1\t2026-11-01\t10:00:00")
	f.Fuzz(func(t *testing.T, header, data string) {
		lay := newLayout(strings.Fields(header))
		p := newParser()
		var v values
		var rec Record
		if lay.splitTabs([]byte(data), &v) != lay.n {
			return
		}
		if err := p.build(&v, &rec); err != nil {
			return
		}
		if rec.POP == "" || rec.Unix < 0 {
			t.Fatalf("accepted %q under %q with POP %q time %d", data, header, rec.POP, rec.Unix)
		}
		if rec.HasTTFB && rec.TTFB < 0 {
			t.Fatalf("negative time-to-first-byte %v", rec.TTFB)
		}
	})
}

// FuzzW3CRoundTrip writes an entry made of fuzzed values and reads it back.
func FuzzW3CRoundTrip(f *testing.F) {
	f.Add(int64(1793527200), "HKG62-C1", "GET", "/api/time", "curl/8 (x)", 200, int64(12345))
	f.Add(int64(0), "FRA56-P3", "", "", "", 0, int64(0))
	f.Fuzz(func(t *testing.T, unix int64, pop, method, path, ua string, status int, ttfbMicros int64) {
		if unix < 0 || unix > 4e9 || status < 0 || status > 999 || ttfbMicros < 0 || ttfbMicros > 1e12 {
			return
		}
		e := Entry{Time: time.Unix(unix, 0), POP: pop, Method: method, URIStem: path, UserAgent: ua, Status: status,
			TTFB: time.Duration(ttfbMicros) * time.Microsecond, RangeStart: -1, RangeEnd: -1}
		lay := newLayout(LegacyFields)
		var v values
		line := AppendW3C(nil, e)
		if n := lay.splitTabs(bytes.TrimSuffix(line, []byte("\n")), &v); n != 33 {
			t.Fatalf("%d fields in %q", n, line)
		}
		var rec Record
		err := newParser().build(&v, &rec)
		if err != nil {
			if strings.Contains(err.Error(), "x-edge-location") {
				return // not a POP code: refused, as it should be
			}
			t.Fatalf("own line refused: %v: %q", err, line)
		}
		if want, _ := cloudfront.NormalizePOPCode(pop); rec.Unix != unix || rec.POP != want || rec.Status != status {
			t.Fatalf("read back %+v from %q", rec, line)
		}
		if got := time.Duration(rec.TTFB * 1e9); (got - e.TTFB).Abs() > time.Millisecond {
			t.Fatalf("ttfb %v, wrote %v", got, e.TTFB)
		}
		if method != "" && !strings.ContainsAny(method, " \t%\"\\") && isPrintable(method) && rec.Method != method {
			t.Fatalf("method %q read as %q", method, rec.Method)
		}
	})
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// FuzzReadFile gives the whole reader any file content (W3C, JSON,
// Parquet, gzip or not, with and without --fields): it never panics, and
// every data line is used, filtered or counted bad.
func FuzzReadFile(f *testing.F) {
	es := entries(3)
	f.Add(w3c(es), false)
	f.Add(gz(w3c(es)), false)
	f.Add([]byte(`{"date":"2026-11-01","time":"10:00:00","x-edge-location":"HKG62-C1"}`+"\n{\n"), false)
	f.Add([]byte("1793527200.5\tHKG62-C1\t0.1\n"), true)
	f.Add([]byte("PAR1garbagePAR1"), false)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}, false)
	f.Fuzz(func(t *testing.T, data []byte, withFields bool) {
		cfg := Config{Inputs: []string{"-"}, Stdin: bytes.NewReader(data)}
		if withFields {
			cfg.Fields = []string{"timestamp", "x-edge-location", "time-to-first-byte"}
		}
		sum, err := Read(context.Background(), cfg, func(_ int, r *Record) {
			if r.POP == "" {
				t.Fatalf("record without a POP")
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if f := sum.Files[0]; f.Records+f.Filtered+f.Bad > f.Lines {
			t.Fatalf("%d records + %d filtered + %d bad of %d lines", f.Records, f.Filtered, f.Bad, f.Lines)
		}
	})
}
