package accesslog

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func equalRecords(t *testing.T, got, want []got) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if math.Abs(g.TTFB-w.TTFB) < 1e-9 {
			g.TTFB = w.TTFB
		}
		if g != w {
			t.Fatalf("record %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
}

// TestW3CVariants reads the field counts that exist in the wild (33, 26,
// 24 without time-to-first-byte) and a custom order, plain and gzip: the
// order always comes from #Fields.
func TestW3CVariants(t *testing.T) {
	es := entries(30)
	full := w3c(es)
	f26 := LegacyFields[:26]
	f24 := LegacyFields[:24]
	shuffled := []string{"x-edge-request-id", "time-to-first-byte", "cs-uri-stem", "x-edge-location", "time", "sc-status",
		"cs(Host)", "date", "cs-method", "x-edge-result-type", "x-host-header"}
	for _, tc := range []struct {
		name string
		data []byte
		ttfb bool
	}{
		{"33 fields", full, true},
		{"33 fields gzip", gz(full), true},
		{"26 fields", project(full, f26), false},
		{"24 fields gzip", gz(project(full, f24)), false},
		{"custom order", project(full, shuffled), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, "E2EXAMPLE.2026-11-01-10.abcd1234.gz", tc.data)
			recs, sum := readAll(t, Config{Inputs: []string{p}})
			w := want(es, tc.ttfb)
			if !tc.ttfb && tc.name == "26 fields" {
				// 26 fields end at c-port: still no time-to-first-byte.
				w = want(es, false)
			}
			equalRecords(t, recs, w)
			if sum.Bad != 0 || len(sum.Problems()) != 0 {
				t.Errorf("problems: %+v", sum.Problems())
			}
			if f := sum.Files[0]; f.Lines != 30 || f.Records != 30 || f.Bytes != int64(len(tc.data)) {
				t.Errorf("file stats %+v", f)
			}
			if gzipped := strings.HasSuffix(sum.Files[0].Format, "+gzip"); gzipped != (tc.data[0] == 0x1f) {
				t.Errorf("format %q", sum.Files[0].Format)
			}
		})
	}
}

// TestJSONLines reads standard logging v2's JSON output: keys are the W3C
// names, values strings or numbers, any order, extra keys ignored.
func TestJSONLines(t *testing.T) {
	es := entries(12)
	var b bytes.Buffer
	for i, e := range es {
		if i%2 == 0 {
			b.WriteString(`{"date":"` + e.Time.Format("2006-01-02") + `","time":"` + e.Time.Format("15:04:05") + `",`)
		} else {
			b.WriteString(`{"timestamp(ms)":` + itoa(e.Time.UnixMilli()) + `,`)
		}
		b.WriteString(`"x-edge-location":"` + e.POP + `","cs-method":"` + e.Method + `","cs(Host)":"` + e.Host +
			`","cs-uri-stem":"` + e.URIStem + `","sc-status":` + itoa(int64(e.Status)) + `,"x-edge-result-type":"` + e.ResultType +
			`","x-edge-request-id":"` + e.RequestID + `","x-host-header":"` + e.HostHeader +
			`","time-to-first-byte":` + ftoa(e.TTFB.Seconds()) + `,"c-country":"HK","asn":16509}` + "\n")
	}
	p := writeFile(t, t.TempDir(), "v2/part-0001.json.gz", gz(b.Bytes()))
	recs, sum := readAll(t, Config{Inputs: []string{p}})
	equalRecords(t, recs, want(es, true))
	if sum.Files[0].Format != "json+gzip" || sum.Bad != 0 {
		t.Errorf("summary %+v", sum.Files[0])
	}
}

// parquetRow is standard logging v2's Parquet form: the W3C names with
// underscores; date as a DATE, numbers typed.
type parquetRow struct {
	Date        int32   `parquet:"date,date"`
	Time        string  `parquet:"time"`
	Location    string  `parquet:"x_edge_location"`
	Method      string  `parquet:"cs_method"`
	Host        string  `parquet:"cs_host"`
	URI         string  `parquet:"cs_uri_stem"`
	Status      int64   `parquet:"sc_status"`
	ResultType  string  `parquet:"x_edge_result_type"`
	RequestID   string  `parquet:"x_edge_request_id"`
	HostHeader  string  `parquet:"x_host_header"`
	TTFB        float64 `parquet:"time_to_first_byte"`
	ClientCount string  `parquet:"c_country"`
}

// parquetLog returns es as a standard logging v2 Parquet file.
func parquetLog(t *testing.T, es []Entry) []byte {
	t.Helper()
	rows := make([]parquetRow, len(es))
	for i, e := range es {
		rows[i] = parquetRow{
			Date: int32(e.Time.Unix() / 86400), Time: e.Time.Format("15:04:05"), Location: e.POP, Method: e.Method,
			Host: e.Host, URI: e.URIStem, Status: int64(e.Status), ResultType: e.ResultType, RequestID: e.RequestID,
			HostHeader: e.HostHeader, TTFB: e.TTFB.Seconds(), ClientCount: "HK",
		}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[parquetRow](&buf, parquet.MaxRowsPerRowGroup(16))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquet(t *testing.T) {
	es := entries(40)
	b := parquetLog(t, es)
	p := writeFile(t, t.TempDir(), "logs.parquet", b)
	recs, sum := readAll(t, Config{Inputs: []string{p}})
	equalRecords(t, recs, want(es, true))
	if sum.Files[0].Format != "parquet" || sum.Files[0].Lines != 40 {
		t.Errorf("summary %+v", sum.Files[0])
	}
	// The same file through standard input is copied to a temporary file first.
	recs, _ = readAll(t, Config{Inputs: []string{"-"}, Stdin: bytes.NewReader(b)})
	equalRecords(t, recs, want(es, true))
}

// TestRealTimeTSV reads real-time logs: tab-separated, no header, the
// order given by --fields, the time a Unix timestamp with milliseconds.
func TestRealTimeTSV(t *testing.T) {
	es := entries(10)
	fields := []string{"timestamp", "c-ip", "time-to-first-byte", "sc-status", "cs-method", "cs-host", "cs-uri-stem", "x-edge-location", "x-edge-request-id", "x-host-header", "x-edge-result-type"}
	var b bytes.Buffer
	for _, e := range es {
		b.WriteString(strings.Join([]string{
			itoa(e.Time.Unix()) + ".123", e.ClientIP, ftoa(e.TTFB.Seconds()), itoa(int64(e.Status)), e.Method, e.Host, e.URIStem,
			e.POP, e.RequestID, e.HostHeader, e.ResultType,
		}, "\t") + "\n")
	}
	p := writeFile(t, t.TempDir(), "rt/records", b.Bytes())
	recs, sum := readAll(t, Config{Inputs: []string{p}, Fields: fields})
	equalRecords(t, recs, want(es, true))
	if sum.Files[0].Format != "tsv" {
		t.Errorf("format %q", sum.Files[0].Format)
	}
	// Without --fields the file cannot be read, and says why.
	_, sum = readAll(t, Config{Inputs: []string{p}})
	if f := sum.Files[0]; f.Records != 0 || f.Bad != 10 || len(f.Examples) != 1 || !strings.Contains(f.Examples[0], "--fields") {
		t.Errorf("no --fields: %+v", f)
	}
}

// TestSources: directories recursively (hidden entries skipped), globs,
// standard input, duplicates read once, and the errors a user makes.
func TestSources(t *testing.T) {
	es := entries(9)
	dir := t.TempDir()
	writeFile(t, dir, "a/one.gz", gz(w3c(es[:3])))
	writeFile(t, dir, "a/b/two", w3c(es[3:6]))
	writeFile(t, dir, "a/.hidden/three.gz", gz(w3c(es[6:])))
	recs, sum := readAll(t, Config{Inputs: []string{dir + "/a", dir + "/a/one.gz"}})
	equalRecords(t, recs, want(es[:6], true))
	if len(sum.Files) != 2 {
		t.Errorf("%d files, want 2 (one given twice, one hidden)", len(sum.Files))
	}
	recs, _ = readAll(t, Config{Inputs: []string{dir + "/a/[b]"}})
	equalRecords(t, recs, want(es[3:6], true))
	recs, _ = readAll(t, Config{Inputs: []string{"-"}, Stdin: bytes.NewReader(gz(w3c(es)))})
	equalRecords(t, recs, want(es, true))

	var ie *InputError
	for _, in := range [][]string{nil, {dir + "/nope"}, {dir + "/*.none"}, {"-", "-"}, {"s3://"}} {
		_, err := Read(context.Background(), Config{Inputs: in}, func(int, *Record) {})
		if !errors.As(err, &ie) {
			t.Errorf("inputs %q: error %v, want an InputError", in, err)
		}
	}
}

// TestBadInput: damage is counted per file with examples, and everything
// readable is still read.
func TestBadInput(t *testing.T) {
	es := entries(20)
	good := w3c(es[:10])
	lines := strings.Split(string(w3c(es[10:])), "\n")
	mixed := strings.Join([]string{
		lines[0], lines[1], lines[2],
		"garbage that is not a log line",
		lines[3],
		strings.Join(strings.Split(lines[4], "\t")[:10], "\t"), // 10 fields
		strings.Replace(lines[5], "2026-11-01", "2026-13-01", 1),
		strings.Replace(lines[6], es[14].POP, "nowhere", 1),
		strings.Replace(lines[7], "\t0.1", "\tabc", 1),
		lines[8], lines[9], lines[10], lines[11],
	}, "\n") + "\n"
	gzGood := gz(w3c(es))
	truncated := gzGood[:len(gzGood)*2/3]
	dir := t.TempDir()
	writeFile(t, dir, "good.gz", gz(good))
	writeFile(t, dir, "mixed", []byte(mixed))
	writeFile(t, dir, "truncated.gz", truncated)
	writeFile(t, dir, "noheader", []byte(strings.Join(lines[2:], "\n")))
	writeFile(t, dir, "empty.gz", gz(nil))
	writeFile(t, dir, "notgzip.gz", []byte{0x1f, 0x8b, 0, 1, 2})
	writeFile(t, dir, "binary", bytes.Repeat([]byte{0, 0xff, '\t'}, 100))

	recs, sum := readAll(t, Config{Inputs: []string{dir}})
	byName := map[string]FileStats{}
	for _, f := range sum.Files {
		byName[f.Name[len(dir)+1:]] = f
	}
	if f := byName["good.gz"]; f.Records != 10 || f.Bad != 0 || f.Error != "" {
		t.Errorf("good: %+v", f)
	}
	m := byName["mixed"]
	if m.Records != 6 || m.Bad != 5 || len(m.Examples) != maxExamples {
		t.Errorf("mixed: %+v", m)
	}
	for _, w := range []string{"line 4: 1 fields, want 33", "line 6: 10 fields, want 33", `line 7: date "2026-13-01"`} {
		if !strings.Contains(strings.Join(m.Examples, "\n"), w) {
			t.Errorf("mixed examples %q lack %q", m.Examples, w)
		}
	}
	if f := byName["truncated.gz"]; f.Records == 0 || f.Records >= 20 || !strings.Contains(f.Error, "truncated") {
		t.Errorf("truncated: %+v", f)
	}
	if f := byName["noheader"]; f.Records != 0 || f.Bad == 0 || f.Error != "" || !strings.Contains(strings.Join(f.Examples, ""), "no #Fields") {
		t.Errorf("no header: %+v", f)
	}
	if f := byName["notgzip.gz"]; f.Error == "" {
		t.Errorf("not gzip: %+v", f)
	}
	if f := byName["binary"]; f.Records != 0 {
		t.Errorf("binary: %+v", f)
	}
	if f := byName["empty.gz"]; f.Records != 0 || f.Error != "" {
		t.Errorf("empty: %+v", f)
	}
	if int64(len(recs)) != sum.Records || sum.Records < 15 {
		t.Errorf("%d records, summary says %d", len(recs), sum.Records)
	}
	if len(sum.Problems()) != 5 {
		t.Errorf("%d files with problems, want 5: %+v", len(sum.Problems()), sum.Problems())
	}
}

func TestFilter(t *testing.T) {
	es := entries(60)
	p := writeFile(t, t.TempDir(), "log.gz", gz(w3c(es)))
	count := func(f Filter) (int64, int64) {
		_, sum := readAll(t, Config{Inputs: []string{p}, Filter: f})
		return sum.Records, sum.Filtered
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want int64
	}{
		{"none", Filter{}, 60},
		{"path", Filter{PathPrefix: []string{"/api/"}}, 30},
		{"method", Filter{Methods: []string{"post"}}, 30},
		{"method and path", Filter{Methods: []string{"GET"}, PathPrefix: []string{"/api/"}}, 30},
		{"host header", Filter{Hosts: []string{"API.example.com"}}, 60},
		{"other host", Filter{Hosts: []string{"other.example.com"}}, 0},
		{"result type", Filter{ResultTypes: []string{"Hit"}}, 0},
		{"time", Filter{From: t0.Add(70 * time.Second), To: t0.Add(140 * time.Second)}, 10},
	} {
		n, filtered := count(tc.f)
		if n != tc.want || n+filtered != 60 {
			t.Errorf("%s: %d kept, %d filtered; want %d kept", tc.name, n, filtered, tc.want)
		}
	}
}

func itoa(n int64) string   { return strconv.FormatInt(n, 10) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// TestTTFBBounds: a time-to-first-byte must be a number of seconds from 0
// to MaxTTFB; anything else (1e300, an hour and a bit, NaN, infinity, a
// negative) is a bad line, not a record.
func TestTTFBBounds(t *testing.T) {
	fields := []string{"timestamp", "x-edge-location", "time-to-first-byte"}
	var b strings.Builder
	good := []string{"0.5", "0", "3600", "1.5e1"}
	bad := []string{"1e300", "3600.001", "NaN", "Inf", "+Inf", "-0.1", "1e3000"}
	for _, v := range append(append([]string{}, good...), bad...) {
		b.WriteString("1793527200.5\tHKG62-C1\t" + v + "\n")
	}
	p := writeFile(t, t.TempDir(), "rt", []byte(b.String()))
	recs, sum := readAll(t, Config{Inputs: []string{p}, Fields: fields})
	if len(recs) != len(good) || sum.Bad != int64(len(bad)) {
		t.Fatalf("%d records, %d bad; want %d and %d: %+v", len(recs), sum.Bad, len(good), len(bad), sum.Files[0].Examples)
	}
	for _, r := range recs {
		if !r.HasTTFB || r.TTFB < 0 || r.TTFB > MaxTTFB {
			t.Errorf("record %+v", r)
		}
	}
}

// TestLongLines: a line longer than the line buffer is one bad line,
// whether a newline ends it or the end of the data does.
func TestLongLines(t *testing.T) {
	log := string(w3c(entries(2)))
	long := strings.Repeat("x", readBuffer+readBuffer/2)
	for _, tc := range []struct {
		name  string
		data  string
		lines int64
	}{
		{"then more lines", log + long + "\n" + log, 5},
		{"last line, newline", log + long + "\n", 3},
		{"last line, no newline", log + long, 3},
		{"last line, 3 buffers, no newline", log + long + long, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "log", []byte(tc.data))
			_, sum := readAll(t, Config{Inputs: []string{p}})
			if f := sum.Files[0]; f.Bad != 1 || f.Lines != tc.lines || f.Records != tc.lines-1 || f.Error != "" {
				t.Errorf("%+v: want %d lines, one of them bad", f, tc.lines)
			}
		})
	}
}

// TestSCBytes: sc-bytes, the response's size, is read when it is a count;
// absent or unreadable it is unknown, and the line is still a record (only
// the planner's bill uses it).
func TestSCBytes(t *testing.T) {
	fields := []string{"timestamp", "x-edge-location", "sc-bytes"}
	var b strings.Builder
	for _, v := range []string{"1234", "0", "-", "12kB", "99999999999"} {
		b.WriteString("1793527200.5\tHKG62-C1\t" + v + "\n")
	}
	var got []Record
	p := writeFile(t, t.TempDir(), "rt", []byte(b.String()))
	sum, err := Read(context.Background(), Config{Inputs: []string{p}, Fields: fields, Workers: 1}, func(_ int, r *Record) { got = append(got, *r) })
	if err != nil || sum.Bad != 0 || len(got) != 5 {
		t.Fatalf("%d records, %d bad: %v", len(got), sum.Bad, err)
	}
	for i, want := range []struct {
		n  int64
		ok bool
	}{{1234, true}, {0, true}, {0, false}, {0, false}, {0, false}} {
		if got[i].SCBytes != want.n || got[i].HasSCBytes != want.ok {
			t.Errorf("line %d: sc-bytes %d (%v), want %d (%v)", i+1, got[i].SCBytes, got[i].HasSCBytes, want.n, want.ok)
		}
	}
}
