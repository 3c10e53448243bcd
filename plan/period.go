package plan

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
)

// Outliers are the requests of an input far outside the bulk of its time:
// a line dated 1970-01-01 among a week of logs would stretch the period to
// decades and divide every rate per day by thousands. They are left out,
// as bad lines, with examples.
type Outliers struct {
	Requests int64     `json:"requests"` // viewers' and prewarm
	From     time.Time `json:"from"`     // the plausible period: requests before From or from To on are outliers
	To       time.Time `json:"to"`
	Examples []string  `json:"examples,omitempty"` // where the earliest and latest were read, and their time
}

// The plausible period: the hours holding the middle 98 % of the requests
// (the bulk), widened on each side by the bulk's own length and at least
// outlierMargin. Logs that CloudFront delivers late still carry the time of
// the request, so nothing legitimate is that far from the rest.
const (
	bulkShare     = 0.98
	outlierMargin = 30 * 24 * time.Hour
)

// shortSpan is the period under which rates per day are extrapolated from
// too little to trust: a day has busy and quiet hours.
const shortSpan = 3 * time.Hour

// plausible returns the plausible period of c's requests, [lo, hi) in Unix
// seconds.
func plausible(c *Counts) (lo, hi int64) {
	byHour := map[int64]uint64{}
	var total uint64
	for _, s := range c.pops {
		s.each(func(unix int64, cl *cell) {
			n, _, _ := s.totals(cl)
			if cl.extra != 0 {
				n += s.extras[cl.extra-1].prewarm
			}
			byHour[floorDiv(unix, 3600)] += n
			total += n
		})
	}
	hours := slices.Sorted(maps.Keys(byHour))
	if len(hours) == 0 {
		return math.MinInt64, math.MaxInt64
	}
	tail := uint64(float64(total) * (1 - bulkShare) / 2)
	first, last := hours[0], hours[len(hours)-1]
	var seen uint64
	for _, h := range hours {
		if seen += byHour[h]; seen > tail {
			first = h
			break
		}
	}
	seen = 0
	for i := len(hours) - 1; i >= 0; i-- {
		if seen += byHour[hours[i]]; seen > tail {
			last = hours[i]
			break
		}
	}
	lo, hi = first*3600, (last+1)*3600
	margin := max(hi-lo, int64(outlierMargin/time.Second))
	return lo - margin, hi + margin
}

// dropOutliers leaves out c's requests outside the plausible period and
// says what it left out (nil: nothing).
func dropOutliers(c *Counts) *Outliers {
	lo, hi := plausible(c)
	if c.first >= lo && c.last < hi {
		return nil
	}
	o := &Outliers{From: clampTime(lo), To: clampTime(hi)}
	for code, s := range c.pops {
		viewers, prewarm := s.drop(lo, hi)
		o.Requests += int64(viewers + prewarm)
		c.seen.Requests -= viewers
		c.seen.Prewarm -= prewarm
		empty := true
		s.each(func(int64, *cell) { empty = false })
		if empty {
			delete(c.pops, code)
		}
	}
	c.first, c.last = math.MaxInt64, math.MinInt64
	for _, s := range c.pops {
		s.each(func(unix int64, _ *cell) { c.span(unix) })
	}
	seen := map[extreme]bool{}
	for _, x := range c.extremes.all() {
		if (x.at < lo || x.at >= hi) && !seen[x] {
			seen[x] = true
			o.Examples = append(o.Examples, fmt.Sprintf("%s: %s", x.where(), time.Unix(x.at, 0).UTC().Format(time.DateTime)))
		}
	}
	return o
}

// drop clears the cells outside [lo, hi) and returns their requests.
func (s *series) drop(lo, hi int64) (viewers, prewarm uint64) {
	s.each(func(unix int64, c *cell) {
		if unix >= lo && unix < hi {
			return
		}
		n, _, _ := s.totals(c)
		viewers += n
		if c.extra != 0 {
			prewarm += s.extras[c.extra-1].prewarm
			s.extras[c.extra-1] = extra{}
		}
		*c = cell{}
	})
	return viewers, prewarm
}

// clampTime is a Unix second as a time a JSON document can hold (years 0
// to 9999).
func clampTime(unix int64) time.Time {
	return time.Unix(min(max(unix, minUnix), accesslog.MaxUnix), 0).UTC()
}

// minUnix is 0000-01-01T00:00:00Z.
const minUnix = -62167219200

// spanWarning warns when rates per day come from less than shortSpan.
func spanWarning(span time.Duration) string {
	if span >= shortSpan {
		return ""
	}
	round := time.Minute
	if span < 10*time.Minute {
		round = time.Second
	}
	return fmt.Sprintf("per-day figures are extrapolated from %v of traffic: a day has busy and quiet hours; plan from a day or more of logs", span.Round(round))
}
