package plan

import (
	"context"
	"maps"
	"math"
	"math/bits"
	"slices"
	"sort"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// chunkSeconds is the span of one block of per-second cells. A POP costs
// chunkSeconds × 16 bytes (4.8 KB) per 5 minutes in which it had traffic,
// whatever the number of requests.
const chunkSeconds = 300

// cell is one POP's second: its requests and their time-to-first-byte.
type cell struct {
	n      uint32 // requests
	ttfbN  uint32 // requests with a time-to-first-byte
	ttfbUS uint64 // their time-to-first-byte, summed, in microseconds
}

type chunk [chunkSeconds]cell

// series is one POP's traffic.
type series struct {
	chunks map[int64]*chunk // Unix second / chunkSeconds → cells
	hist   *histogram       // time-to-first-byte distribution; nil from a counts file
}

// Counts is the aggregate the planner works from: per POP, the requests of
// every second and their time-to-first-byte. It is built from logs (Add,
// FromLogs) or from a per-second counts file (ReadCounts); its size
// grows with POPs × busy 5-minute blocks, not with the number of requests.
// The zero value is not usable: call NewCounts.
type Counts struct {
	pops        map[string]*series
	first, last int64 // Unix seconds of the first and last request
	fromLogs    bool  // every request was seen (percentiles are known)
	// distributions counts the requests of each cs(Host) (distribution
	// domain) seen, hosts those of each x-host-header.
	distributions, hosts map[string]int64
	// respBytes sums the responses' sc-bytes of the respN requests whose
	// log line had it: the size of a prewarm response (ResponseBytes).
	respBytes, respN uint64
}

// NewCounts returns an empty aggregate.
func NewCounts() *Counts {
	return &Counts{pops: map[string]*series{}, first: math.MaxInt64, last: math.MinInt64, fromLogs: true,
		distributions: map[string]int64{}, hosts: map[string]int64{}}
}

func (c *Counts) series(pop string) *series {
	s := c.pops[pop]
	if s == nil {
		s = &series{chunks: map[int64]*chunk{}}
		if c.fromLogs {
			s.hist = new(histogram)
		}
		c.pops[pop] = s
	}
	return s
}

func (s *series) cell(unix int64) *cell {
	k := floorDiv(unix, chunkSeconds)
	ch := s.chunks[k]
	if ch == nil {
		ch = new(chunk)
		s.chunks[k] = ch
	}
	return &ch[unix-k*chunkSeconds]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func (c *Counts) span(unix int64) {
	c.first = min(c.first, unix)
	c.last = max(c.last, unix)
}

// micros converts n requests' time-to-first-byte, sum seconds, to
// microseconds; ok is false when it is not a number from 0 to n ×
// accesslog.MaxTTFB (a float's conversion to uint64 is undefined beyond
// its range).
func micros(sum float64, n uint32) (us uint64, ok bool) {
	if !(sum >= 0 && sum <= float64(n)*accesslog.MaxTTFB) { // NaN fails too
		return 0, false
	}
	return uint64(math.Round(sum * 1e6)), true
}

// Add counts one request. A time-to-first-byte that is not a number of
// seconds from 0 to accesslog.MaxTTFB is left out (the request counts).
func (c *Counts) Add(pop string, unix int64, ttfb float64, hasTTFB bool) {
	s := c.series(pop)
	cl := s.cell(unix)
	cl.n++
	if us, ok := micros(ttfb, 1); hasTTFB && ok {
		cl.ttfbN++
		cl.ttfbUS += us
		if s.hist != nil {
			s.hist.add(us)
		}
	}
	c.span(unix)
}

// AddSecond adds the aggregate of one POP's second, as a counts file has
// it: n requests, ttfbN (at most n) of them with a time-to-first-byte
// summing to ttfbSum seconds; a sum that is not a number from 0 to
// ttfbN × accesslog.MaxTTFB is left out.
func (c *Counts) AddSecond(pop string, unix int64, n, ttfbN uint32, ttfbSum float64) {
	c.noPercentiles()
	cl := c.series(pop).cell(unix)
	cl.n += n
	ttfbN = min(ttfbN, n)
	if us, ok := micros(ttfbSum, ttfbN); ok && ttfbN > 0 {
		cl.ttfbN += ttfbN
		cl.ttfbUS += us
	}
	c.span(unix)
}

// noPercentiles marks c as holding requests not seen one by one (a
// counts file's): its time-to-first-byte histograms go, once.
func (c *Counts) noPercentiles() {
	if !c.fromLogs {
		return
	}
	c.fromLogs = false
	for _, s := range c.pops {
		s.hist = nil
	}
}

// Merge adds o into c.
func (c *Counts) Merge(o *Counts) {
	if !o.fromLogs {
		c.noPercentiles()
	}
	for pop, os := range o.pops {
		s := c.series(pop)
		for k, och := range os.chunks {
			ch := s.chunks[k]
			if ch == nil {
				s.chunks[k] = och
				continue
			}
			for i := range ch {
				ch[i].n += och[i].n
				ch[i].ttfbN += och[i].ttfbN
				ch[i].ttfbUS += och[i].ttfbUS
			}
		}
		if !c.fromLogs {
			s.hist = nil
		} else if os.hist != nil {
			s.hist.merge(os.hist)
		}
	}
	if o.last >= o.first {
		c.span(o.first)
		c.span(o.last)
	}
	c.respBytes += o.respBytes
	c.respN += o.respN
	for k, n := range o.distributions {
		c.distributions[k] += n
	}
	for k, n := range o.hosts {
		c.hosts[k] += n
	}
}

// AddResponse counts one request's response size (sc-bytes).
func (c *Counts) AddResponse(bytes uint64) {
	c.respBytes += bytes
	c.respN++
}

// ResponseBytes is the mean response size (sc-bytes) of the requests whose
// log line had one, rounded up; false when none had (a counts file, or
// logs without the field).
func (c *Counts) ResponseBytes() (int, bool) {
	if c.respN == 0 {
		return 0, false
	}
	return int((c.respBytes + c.respN - 1) / c.respN), true
}

// maxNames bounds the distinct names counted.
const maxNames = 1000

// addNames counts a request's distribution domain and Host header.
func (c *Counts) addNames(dist, host string) {
	if dist != "" && (c.distributions[dist] > 0 || len(c.distributions) < maxNames) {
		c.distributions[dist]++
	}
	if host != "" && (c.hosts[host] > 0 || len(c.hosts) < maxNames) {
		c.hosts[host]++
	}
}

// Names returns the distribution domain (cs(Host) ending in
// .cloudfront.net) and the Host header most requests had, "" when none.
func (c *Counts) Names() (distribution, host string) {
	best := func(m map[string]int64, ok func(string) bool) string {
		var out string
		var most int64
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if m[k] > most && ok(k) {
				out, most = k, m[k]
			}
		}
		return out
	}
	distribution = best(c.distributions, func(s string) bool {
		_, err := cloudfront.DistributionLabel(s)
		return err == nil
	})
	host = best(c.hosts, func(string) bool { return true })
	return distribution, host
}

// POPs returns the POP codes seen, sorted.
func (c *Counts) POPs() []string {
	out := make([]string, 0, len(c.pops))
	for p := range c.pops {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Span returns the first and last second with a request; ok is false when
// there is none.
func (c *Counts) Span() (first, last time.Time, ok bool) {
	if c.last < c.first {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(c.first, 0).UTC(), time.Unix(c.last, 0).UTC(), true
}

// second is one busy second of a POP, in time order.
type second struct {
	unix   int64
	n      uint32
	ttfbN  uint32
	ttfbUS uint64
}

// seconds returns the POP's seconds with requests, in time order.
func (s *series) seconds() []second {
	keys := make([]int64, 0, len(s.chunks))
	for k := range s.chunks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []second
	for _, k := range keys {
		for i, cl := range s.chunks[k] {
			if cl.n > 0 {
				out = append(out, second{k*chunkSeconds + int64(i), cl.n, cl.ttfbN, cl.ttfbUS})
			}
		}
	}
	return out
}

// FromLogs reads access logs into Counts, one aggregate per reader worker
// merged at the end.
func FromLogs(ctx context.Context, cfg accesslog.Config) (*Counts, accesslog.Summary, error) {
	parts := make([]*Counts, accesslog.Workers(cfg))
	for i := range parts {
		parts[i] = NewCounts()
	}
	sum, err := accesslog.Read(ctx, cfg, func(w int, r *accesslog.Record) {
		parts[w].Add(r.POP, r.Unix, r.TTFB, r.HasTTFB)
		parts[w].addNames(r.Host, r.HostHeader)
		if r.HasSCBytes {
			parts[w].AddResponse(uint64(r.SCBytes))
		}
	})
	c := parts[0]
	for _, p := range parts[1:] {
		c.Merge(p)
	}
	return c, sum, err
}

// histogram is a log-scale histogram of microseconds: 16 buckets per
// power of two (at most 4.4 % apart), constant size.
type histogram [64 * 16]uint32

func bucket(us uint64) int {
	if us < 16 {
		return int(us)
	}
	e := bits.Len64(us) - 5 // us >> e has 5 bits: 16..31
	return (e+1)*16 + int(us>>e) - 16
}

// lower returns the smallest value of bucket b.
func lowerBound(b int) uint64 {
	if b < 16 {
		return uint64(b)
	}
	e := b/16 - 1
	return uint64(b%16+16) << e
}

func (h *histogram) add(us uint64) { h[min(bucket(us), len(h)-1)]++ }

func (h *histogram) merge(o *histogram) {
	for i := range h {
		h[i] += o[i]
	}
}

// quantile returns the value below which a share q of the values lie (the
// middle of its bucket), or 0 when the histogram is empty.
func (h *histogram) quantile(q float64) time.Duration {
	var total uint64
	for _, n := range h {
		total += uint64(n)
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen uint64
	for b, n := range h {
		seen += uint64(n)
		if seen >= rank {
			lo, hi := lowerBound(b), lowerBound(b+1)
			return time.Duration((lo+hi)/2) * time.Microsecond
		}
	}
	return 0
}
