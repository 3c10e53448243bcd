package plan

import (
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// MaxPOPs is the most distinct POP codes an input may name: several times
// the edge locations CloudFront has ever had (about 600 in 2025, and the
// codes retired before). More means the x-edge-location column is not
// what it says (a wrong --fields order, logs of something else), and
// planning them would take memory and lines of output per name.
const MaxPOPs = 2000

// Counts is the aggregate the planner works from: per POP, every second
// with requests, what its requests were (viewers' or prewarm, opening or
// continuing a viewer connection, how long they held an origin
// connection) and the viewers' time-to-first-byte. It is built from logs
// (FromLogs, Add) or from a per-second counts file (ReadCounts); its size
// grows with POPs × active seconds, not with the number of requests. The
// zero value is not usable: call NewCounts.
type Counts struct {
	pops        map[string]*series
	first, last int64 // Unix seconds of the first and last request
	fromLogs    bool  // every request was seen (percentiles are known)
	// distributions counts the requests of each cs(Host) (distribution
	// domain) seen, hosts those of each x-host-header, without a port.
	distributions, hosts map[string]int64
	seen                 Seen
	// overflow counts the requests of POPs beyond MaxPOPs, left out.
	overflow uint64
	extremes extremes
	// respBytes sums the responses' sc-bytes of the respN requests whose
	// log line had it: the size of a prewarm response (ResponseBytes).
	respBytes, respN uint64
}

// Seen says what the input told of its requests beyond their POP and
// second; the model's assumptions follow from it (Plan.Assumptions).
type Seen struct {
	Requests uint64 `json:"requests"`         // viewers' requests
	Prewarm  uint64 `json:"prewarm_requests"` // prewarm requests, recognised by their User-Agent
	// Connection counts the requests with c-ip and c-port (from a counts
	// file: all of them when it has the gap column), which the planner
	// groups into viewer connections; Continued those that continued one.
	Connection uint64 `json:"with_connection"`
	Continued  uint64 `json:"continued_connection"`
	// UserAgent counts the requests whose User-Agent was logged (from a
	// counts file: all when it has the prewarm column).
	UserAgent uint64 `json:"with_user_agent"`
	// TimeTaken counts the requests with a time-taken, whose arrival is the
	// logged second less it; Busy those with a time an origin connection
	// was held (time-to-first-byte, else time-taken).
	TimeTaken uint64 `json:"with_time_taken"`
	Busy      uint64 `json:"with_busy_time"`
}

func (s *Seen) add(o Seen) {
	s.Requests += o.Requests
	s.Prewarm += o.Prewarm
	s.Connection += o.Connection
	s.Continued += o.Continued
	s.UserAgent += o.UserAgent
	s.TimeTaken += o.TimeTaken
	s.Busy += o.Busy
}

// NewCounts returns an empty aggregate.
func NewCounts() *Counts {
	return &Counts{pops: map[string]*series{}, first: math.MaxInt64, last: math.MinInt64, fromLogs: true,
		distributions: map[string]int64{}, hosts: map[string]int64{}}
}

// series returns the POP's series, or nil when the POP would be one more
// than MaxPOPs.
func (c *Counts) series(pop string) *series {
	s := c.pops[pop]
	if s == nil {
		if len(c.pops) >= MaxPOPs {
			return nil
		}
		s = newSeries(c.fromLogs)
		c.pops[pop] = s
	}
	return s
}

func (c *Counts) span(unix int64) {
	c.first = min(c.first, unix)
	c.last = max(c.last, unix)
}

// micros converts n requests' time-to-first-byte, sum seconds, to
// microseconds; ok is false when it is not a number from 0 to n ×
// accesslog.MaxTTFB (a float's conversion to uint64 is undefined beyond
// its range).
func micros(sum float64, n uint64) (us uint64, ok bool) {
	if !(sum >= 0 && sum <= float64(n)*accesslog.MaxTTFB) { // NaN fails too
		return 0, false
	}
	return uint64(math.Round(sum * 1e6)), true
}

// request is one request as the aggregate counts it.
type request struct {
	at      int64 // the second it arrived
	ttfb    float64
	hasTTFB bool
	busy    float64 // how long it held an origin connection, seconds
	hasBusy bool
	prewarm bool
	gap     int64 // seconds since its viewer connection's previous request; −1: it opened the connection
}

// Add counts one viewer request that opened a viewer connection of its own
// and held an origin connection for its time-to-first-byte. A
// time-to-first-byte that is not a number of seconds from 0 to
// accesslog.MaxTTFB is left out (the request counts).
func (c *Counts) Add(pop string, unix int64, ttfb float64, hasTTFB bool) {
	c.add(pop, request{at: unix, ttfb: ttfb, hasTTFB: hasTTFB, busy: ttfb, hasBusy: hasTTFB, gap: -1})
}

func (c *Counts) add(pop string, r request) {
	s := c.series(pop)
	if s == nil {
		c.overflow++
		return
	}
	cl := s.cell(r.at)
	var n, ttfbN, busyN uint64
	if r.prewarm {
		s.extraOf(cl).prewarm++
		c.seen.Prewarm++
	} else {
		n = 1
		c.seen.Requests++
		if us, ok := micros(r.ttfb, 1); r.hasTTFB && ok {
			ttfbN = 1
			cl.ttfbUS += us
			if s.hist != nil {
				s.hist.add(us)
			}
		}
	}
	if us, ok := micros(r.busy, 1); r.hasBusy && ok {
		busyN = 1
		cl.busyUS += us
		c.seen.Busy++
	}
	s.count(cl, n, ttfbN, busyN)
	if r.gap >= 0 {
		s.addLink(cl, uint32(min(r.gap, math.MaxUint32)), r.prewarm, 1)
		c.seen.Continued++
	}
	c.span(r.at)
}

// AddSecond adds the aggregate of one POP's second, as a counts file has
// it: n viewer requests, ttfbN (at most n) of them with a
// time-to-first-byte summing to ttfbSum seconds; a sum that is not a
// number from 0 to ttfbN × accesslog.MaxTTFB is left out.
func (c *Counts) AddSecond(pop string, unix int64, n, ttfbN uint64, ttfbSum float64) {
	c.addRow(pop, unix, row{requests: n, ttfbN: ttfbN, ttfbSum: ttfbSum, busyN: ttfbN, busySum: ttfbSum, gap: -1})
}

// row is one row of a counts file: the requests of a POP's second that
// share a gap (−1: they opened their viewer connection) and a kind.
type row struct {
	requests         uint64
	ttfbN            uint64
	ttfbSum          float64
	busyN            uint64
	busySum          float64
	gap              int64
	prewarm          bool
	hasGap, hasAgent bool // the file has the gap, the prewarm column
}

func (c *Counts) addRow(pop string, unix int64, r row) {
	c.noPercentiles()
	s := c.series(pop)
	if s == nil {
		c.overflow += r.requests
		return
	}
	cl := s.cell(unix)
	var n, ttfbN, busyN uint64
	if r.prewarm {
		s.extraOf(cl).prewarm += r.requests
		c.seen.Prewarm += r.requests
	} else {
		n = r.requests
		c.seen.Requests += r.requests
		k := min(r.ttfbN, r.requests)
		if us, ok := micros(r.ttfbSum, k); ok && k > 0 {
			ttfbN = k
			cl.ttfbUS += us
		}
	}
	k := min(r.busyN, r.requests)
	if us, ok := micros(r.busySum, k); ok && k > 0 {
		busyN = k
		cl.busyUS += us
		c.seen.Busy += k
	}
	s.count(cl, n, ttfbN, busyN)
	if r.hasGap {
		c.seen.Connection += r.requests
	}
	if r.hasAgent {
		c.seen.UserAgent += r.requests
	}
	if r.gap >= 0 {
		s.addLink(cl, uint32(min(r.gap, math.MaxUint32)), r.prewarm, r.requests)
		c.seen.Continued += r.requests
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
	for _, pop := range slices.Sorted(maps.Keys(o.pops)) {
		os := o.pops[pop]
		if c.pops[pop] == nil && len(c.pops) < MaxPOPs {
			if !c.fromLogs {
				os.hist = nil
			}
			c.pops[pop] = os
			continue
		}
		s := c.series(pop)
		if s == nil {
			os.each(func(_ int64, oc *cell) {
				n, _, _ := os.totals(oc)
				c.overflow += n
			})
			continue
		}
		s.mergeSeries(os)
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
	c.seen.add(o.seen)
	c.overflow += o.overflow
	c.extremes.merge(o.extremes)
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

// addNames counts a request's distribution domain and Host header, as
// logged (Names makes names of them).
func (c *Counts) addNames(dist, host string) {
	if dist != "" && (c.distributions[dist] > 0 || len(c.distributions) < maxNames) {
		c.distributions[dist]++
	}
	if host != "" && (c.hosts[host] > 0 || len(c.hosts) < maxNames) {
		c.hosts[host]++
	}
}

// hostName is a Host header as a name: lower case, without a port
// (d111111abcdef8.cloudfront.net:33233, [2001:db8::1]:443).
func hostName(h string) string {
	if host, port, err := net.SplitHostPort(h); strings.Contains(h, ":") && err == nil && port != "" {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// Names returns the distribution domain (cs(Host) ending in
// .cloudfront.net) and the Host header most requests had, without a port;
// "" when none.
func (c *Counts) Names() (distribution, host string) {
	best := func(logged map[string]int64, ok func(string) bool) string {
		m := map[string]int64{}
		for k, n := range logged {
			m[hostName(k)] += n
		}
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

// Seen returns what the input told of its requests.
func (c *Counts) Seen() Seen { return c.seen }

// TooManyPOPsError is Run's error when the input names more than MaxPOPs
// POP codes.
type TooManyPOPsError struct {
	Requests uint64 // of the POPs beyond the first MaxPOPs, left out
}

func (e *TooManyPOPsError) Error() string {
	return fmt.Sprintf("the input names more than %d POPs (x-edge-location values; %d requests of the others left out): "+
		"CloudFront has about 600. Is --fields in the wrong order (another column read as x-edge-location), "+
		"or are these not CloudFront logs?", MaxPOPs, e.Requests)
}
