package accesslog

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// connection is the part of a record that names its viewer connection,
// its User-Agent and its timing, kept.
type connection struct {
	IP, UA    string
	Port      int
	TimeTaken float64
	HasTT     bool
	Line      int64
	Source    string
}

func readConnections(t *testing.T, cfg Config) ([]connection, Summary) {
	t.Helper()
	var mu sync.Mutex
	var out []connection
	sum, err := Read(context.Background(), cfg, func(_ int, r *Record) {
		mu.Lock()
		defer mu.Unlock()
		c := connection{IP: string(r.ClientIP), Port: r.ClientPort, TimeTaken: r.TimeTaken, HasTT: r.HasTimeTaken, Line: r.Line, Source: r.Source}
		if r.UserAgent != nil {
			c.UA = "<" + string(r.UserAgent) + ">"
		}
		out = append(out, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, sum
}

// TestViewerConnectionFields: c-ip, c-port, cs(User-Agent) and time-taken
// come through as logged, in every form that has them (W3C, JSON, headerless
// with --fields); a log without them says so (nil, 0, no time-taken), and
// "-" is a User-Agent the request did not send, not a missing field.
func TestViewerConnectionFields(t *testing.T) {
	es := entries(3)
	es[1].UserAgent = ""
	dir := t.TempDir()
	full := writeFile(t, dir, "full.gz", gz(w3c(es)))
	got, _ := readConnections(t, Config{Inputs: []string{full}})
	if len(got) != 3 {
		t.Fatalf("%d records", len(got))
	}
	for i, c := range got {
		ua := "<curl/8.5.0%20(x86_64)>"
		if i == 1 {
			ua = "<->"
		}
		want := connection{IP: "192.0.2.10", Port: 40000 + i, UA: ua, TimeTaken: 0.25, HasTT: true, Line: int64(i + 3), Source: full}
		if c != want {
			t.Errorf("line %d: %+v, want %+v", i, c, want)
		}
	}

	// 24 fields: c-ip and cs(User-Agent) are there, c-port and the rest not.
	short := writeFile(t, dir, "short", project(w3c(es), LegacyFields[:24]))
	got, _ = readConnections(t, Config{Inputs: []string{short}})
	if c := got[0]; c.IP != "192.0.2.10" || c.Port != 0 || !c.HasTT {
		t.Errorf("24 fields: %+v", c)
	}
	// No such fields at all.
	bare := writeFile(t, dir, "bare", project(w3c(es), []string{"date", "time", "x-edge-location"}))
	got, _ = readConnections(t, Config{Inputs: []string{bare}})
	if c := got[0]; c.IP != "" || c.Port != 0 || c.UA != "" || c.HasTT {
		t.Errorf("no connection fields: %+v", c)
	}
	// Real-time logs name them c-ip, c-port, cs-user-agent, time-taken.
	rt := writeFile(t, dir, "rt", []byte("1793527200.5\tHKG62-C1\t203.0.113.9\t51234\tcfprewarm/1.0\t0.004\n"+
		"1793527201.5\tHKG62-C1\t203.0.113.9\t99999\t-\t-1\n"))
	got, sum := readConnections(t, Config{Inputs: []string{rt}, Fields: []string{"timestamp", "x-edge-location", "c-ip", "c-port", "cs-user-agent", "time-taken"}})
	if sum.Bad != 0 || len(got) != 2 {
		t.Fatalf("%d records, %d bad", len(got), sum.Bad)
	}
	if got[0].Port != 51234 || got[0].UA != "<cfprewarm/1.0>" || got[0].TimeTaken != 0.004 {
		t.Errorf("real-time: %+v", got[0])
	}
	// A port beyond 65535 and a negative time-taken are unknown, not bad lines.
	if got[1].Port != 0 || got[1].HasTT || got[1].UA != "<->" {
		t.Errorf("real-time, odd values: %+v", got[1])
	}
}

// TestLastSecond: a time a four-digit year cannot write is a bad line,
// whatever field it comes in: timestamp(ms) 1e15 (the year 33658), a
// timestamp past 9999-12-31; 9999-12-31 23:59:59 itself reads.
func TestLastSecond(t *testing.T) {
	dir := t.TempDir()
	ms := writeFile(t, dir, "ms", []byte("1000000000000000\tHKG62-C1\n253402300799999\tHKG62-C1\n"))
	got, sum := readConnections(t, Config{Inputs: []string{ms}, Fields: []string{"timestamp(ms)", "x-edge-location"}})
	if len(got) != 1 || sum.Bad != 1 || !strings.Contains(sum.Files[0].Examples[0], "line 1: timestamp(ms)") {
		t.Errorf("timestamp(ms): %d records, %+v", len(got), sum.Files[0])
	}
	s := writeFile(t, dir, "s", []byte("253402300800\tHKG62-C1\n253402300799.9\tHKG62-C1\n"))
	got, sum = readConnections(t, Config{Inputs: []string{s}, Fields: []string{"timestamp", "x-edge-location"}})
	if len(got) != 1 || sum.Bad != 1 {
		t.Errorf("timestamp: %d records, %+v", len(got), sum.Files[0])
	}
	var r Record
	p := newParser()
	v := values{}
	v.f[fDate], v.f[fTime], v.f[fPOP] = []byte("9999-12-31"), []byte("23:59:59"), []byte("HKG62-C1")
	if err := p.build(&v, &r); err != nil || r.Unix != MaxUnix {
		t.Errorf("9999-12-31 23:59:59: %d, %v", r.Unix, err)
	}
}
