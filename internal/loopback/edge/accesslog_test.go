package edge

import (
	"context"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// TestAccessLog: a POP writes CloudFront standard logs that the log reader
// reads back: one line per request, x-edge-request-id = x-amz-cf-id, a
// time-to-first-byte that includes the origin connection of a cold
// request, times and durations in the log's clock (the line's time when
// the response ended, time-taken before it the request's arrival), gzip
// files named as CloudFront names them, one per hour.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A clock that puts the first request at 10:59:55 and runs 100× fast:
	// it ends before 11:00 unless it takes 50 ms; the third request, 100 ms
	// later, is logged after 11:00.
	var origin time.Time
	clock := func(t time.Time) time.Time {
		if origin.IsZero() {
			origin = t
		}
		return time.Date(2026, 11, 1, 10, 59, 55, 0, time.UTC).Add(t.Sub(origin) * 100)
	}
	al, err := NewAccessLog(dir, "EDFDVBD6EXAMPLE", testDist, clock)
	if err != nil {
		t.Fatal(err)
	}
	l := newLab(t, newCA(t), Config{Hosts: 1, KeepAlive: 5 * time.Second, AccessLog: al})
	v := l.viewer(t, true, false, nil)
	ids := map[string]bool{}
	var cold time.Duration
	for i := range 3 {
		resp, _ := v.get(t, "/api/time")
		ids[resp.Header.Get(cloudfront.HeaderID)] = true
		if i == 0 {
			cold = time.Duration(timing(t, resp, "cdn-upstream-connect")) * time.Millisecond
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := al.Close(); err != nil {
		t.Fatal(err)
	}
	files := al.Files()
	sort.Strings(files)
	name := regexp.MustCompile(`^EDFDVBD6EXAMPLE\.2026-11-01-1[01]\.[0-9a-f]{8}\.gz$`)
	if len(files) != 2 || !name.MatchString(filepath.Base(files[0])) || !name.MatchString(filepath.Base(files[1])) {
		t.Fatalf("files %v: want an hourly pair named like CloudFront's", files)
	}
	type line struct {
		unix        int64
		ttfb, taken float64
		id, pop     string
	}
	var lines []line
	var mu sync.Mutex // the reader calls back from one goroutine per file
	sum, err := accesslog.Read(context.Background(), accesslog.Config{Inputs: []string{dir}}, func(_ int, r *accesslog.Record) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, line{r.Unix, r.TTFB, r.TimeTaken, string(r.RequestID), r.POP})
		if r.Host != testDist || r.Method != http.MethodGet || string(r.Path) != "/api/time" || r.Status != 200 || r.ResultType != "Miss" ||
			!r.HasTTFB || !r.HasTimeTaken || r.TimeTaken < r.TTFB {
			t.Errorf("record %+v", r)
		}
	})
	if err != nil || sum.Records != 3 || sum.Bad != 0 || len(sum.Problems()) != 0 {
		t.Fatalf("read %d records, %d bad, %v: %+v", sum.Records, sum.Bad, err, sum.Problems())
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].unix < lines[j].unix })
	for _, ln := range lines {
		if !ids[ln.id] || ln.pop != testPOP {
			t.Errorf("line %+v: request id not one of the responses' x-amz-cf-id", ln)
		}
	}
	// The first request came at the clock's 10:59:55 and was logged when it
	// ended, time-taken later.
	first := lines[0]
	if arrived := float64(first.unix) + 0.5 - first.taken; math.Abs(arrived-float64(time.Date(2026, 11, 1, 10, 59, 55, 0, time.UTC).Unix())) > 1 {
		t.Errorf("first request logged at %v, %.3f s after it came: want it to have come at the clock's 10:59:55", time.Unix(first.unix, 0).UTC(), first.taken)
	}
	// The cold request's time-to-first-byte includes its origin connect, in
	// the log's clock.
	if first.ttfb < 100*cold.Seconds()*0.9 {
		t.Errorf("cold ttfb %.4f s, origin connect %v × 100", first.ttfb, cold)
	}
}
