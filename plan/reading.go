package plan

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Traffic says how the requests of the logs become the model's traffic:
// which are prewarm requests, and which requests share a viewer connection.
type Traffic struct {
	// ViewerIdle is the longest gap between two requests of one viewer
	// connection (same c-ip, c-port and POP); 0 never groups. Two requests
	// of the same address and port less than a minute apart are one
	// connection (TCP's TIME_WAIT keeps a closed connection's port from
	// being used again for a minute or more), and beyond the keep-alive the
	// host a request lands on matters little.
	ViewerIdle time.Duration
	// PrewarmAgents are User-Agent patterns of prewarm requests besides
	// cfprewarm's own (PrewarmAgents): "-" for requests without one,
	// =TEXT for exactly TEXT, a glob with * or ? over the whole
	// User-Agent, else a substring; case-insensitive.
	PrewarmAgents []string
}

// DefaultViewerIdle is Traffic.ViewerIdle's default.
const DefaultViewerIdle = time.Minute

// MaxViewerIdle bounds Traffic.ViewerIdle.
const MaxViewerIdle = time.Hour

func (t Traffic) problems(p *config.Problems) {
	if t.ViewerIdle < 0 || t.ViewerIdle > MaxViewerIdle {
		p.Add("viewer idle %v: want 0 (never group requests into viewer connections) to %v", t.ViewerIdle, MaxViewerIdle)
	}
	if _, err := parseAgents(t.PrewarmAgents); err != nil {
		p.Add("%v", err)
	}
}

// FromLogs reads access logs into Counts, one aggregate per reader worker
// merged at the end: each request at the second it arrived (the logged
// second less its time-taken), a prewarm request when its User-Agent is a
// prewarmer's, and, with c-ip and c-port, on the viewer connection it
// continues (Traffic.ViewerIdle).
func FromLogs(ctx context.Context, cfg accesslog.Config, t Traffic) (*Counts, accesslog.Summary, error) {
	tallies := make([]*tally, accesslog.Workers(cfg))
	for i := range tallies {
		tl, err := newTally(t)
		if err != nil {
			return nil, accesslog.Summary{}, err
		}
		tallies[i] = tl
	}
	sum, err := accesslog.Read(ctx, cfg, func(w int, r *accesslog.Record) { tallies[w].add(r) })
	c := tallies[0].counts
	for _, tl := range tallies[1:] {
		c.Merge(tl.counts)
	}
	return c, sum, err
}

// tally is one reader worker's part: its aggregate and what it needs to
// classify a record.
type tally struct {
	counts *Counts
	agents agents
	conns  connections
}

func newTally(t Traffic) (*tally, error) {
	a, err := parseAgents(append(append([]string{}, PrewarmAgents...), t.PrewarmAgents...))
	if err != nil {
		return nil, err
	}
	return &tally{counts: NewCounts(), agents: a, conns: newConnections(t.ViewerIdle)}, nil
}

// add counts one record.
func (t *tally) add(r *accesslog.Record) {
	c := t.counts
	q := request{at: r.Unix, ttfb: r.TTFB, hasTTFB: r.HasTTFB, busy: r.TTFB, hasBusy: r.HasTTFB, gap: -1}
	if r.HasTimeTaken {
		// The logged second is when the response ended: the request came
		// time-taken before, about the middle of that second.
		q.at = int64(math.Floor(float64(r.Unix) + 0.5 - r.TimeTaken))
		c.seen.TimeTaken++
		if !r.HasTTFB {
			q.busy, q.hasBusy = r.TimeTaken, true
		}
	}
	if r.UserAgent != nil {
		c.seen.UserAgent++
		q.prewarm = t.agents.match(r.UserAgent)
	}
	if r.ClientIP != nil && r.ClientPort > 0 {
		c.seen.Connection++
		q.gap = t.conns.gap(r.Source, r.POP, r.ClientIP, r.ClientPort, q.at)
	}
	c.add(r.POP, q)
	c.extremes.note(q.at, r.Source, r.Line)
	if r.HasSCBytes {
		c.AddResponse(uint64(r.SCBytes))
	}
	if !q.prewarm {
		c.addNames(r.Host, r.HostHeader)
	}
}

// maxConnections bounds the viewer connections a worker remembers at once
// (about 40 bytes each): past it, the oldest are forgotten and their next
// requests count as opening a connection.
const maxConnections = 1 << 18

// connections remembers, per viewer connection (c-ip, c-port, POP), the
// second of its latest request, within the file being read: CloudFront
// writes a connection's requests of one period into one file, and files
// are read in any order, so that a connection split over two files counts
// as two (an error towards cold).
type connections struct {
	idle    int64 // seconds; 0: never group
	seed    maphash.Seed
	last    map[uint64]int64
	file    string
	newest  int64 // the latest arrival seen in the file
	sweepAt int
	key     []byte
}

func newConnections(idle time.Duration) connections {
	return connections{idle: int64(idle / time.Second), seed: maphash.MakeSeed(), last: map[uint64]int64{}, sweepAt: 4096}
}

// gap returns how many seconds after its connection's previous request a
// request arriving at second at came, or −1 when it opened the
// connection (or its connection is not known). A request up to a second
// before the previous one (the arrival is known to a second) continues the
// connection with gap 0; earlier ones are counted as connections of their
// own.
func (c *connections) gap(file, pop string, ip []byte, port int, at int64) int64 {
	if c.idle <= 0 {
		return -1
	}
	if file != c.file {
		clear(c.last)
		c.file, c.newest = file, at
	}
	c.newest = max(c.newest, at)
	c.key = append(append(append(c.key[:0], pop...), 0), ip...)
	c.key = strconv.AppendInt(append(c.key, 0), int64(port), 10)
	k := maphash.Bytes(c.seed, c.key)
	prev, ok := c.last[k]
	switch {
	case ok && at >= prev-1 && at-prev <= c.idle:
		c.last[k] = max(prev, at)
		return max(at-prev, 0)
	case ok && at < prev:
		return -1 // out of order: a connection of its own, the one known kept
	}
	c.last[k] = at
	if len(c.last) >= c.sweepAt {
		c.sweep()
	}
	return -1
}

// sweep forgets the connections idle for longer than the limit (and a
// minute of slack for lines out of order); if that is not enough, all.
func (c *connections) sweep() {
	for k, t := range c.last {
		if t < c.newest-c.idle-60 {
			delete(c.last, k)
		}
	}
	if len(c.last) >= maxConnections {
		clear(c.last)
	}
	c.sweepAt = max(4096, 2*len(c.last))
}

// extremes are the earliest and the latest requests read, with where they
// were read: the examples of requests outside the plausible period. Noting
// a request allocates nothing.
type extremes struct {
	early, late [maxExtremes]extreme
	n           int // requests noted, up to maxExtremes
}

type extreme struct {
	at     int64
	source string
	line   int64
}

const maxExtremes = 3

func (e extreme) where() string { return fmt.Sprintf("%s line %d", e.source, e.line) }

func (e *extremes) note(at int64, source string, line int64) {
	x := extreme{at, source, line}
	if e.n < maxExtremes {
		e.early[e.n], e.late[e.n] = x, x
		e.n++
		sortExtremes(e.early[:e.n], func(a, b int64) bool { return a < b })
		sortExtremes(e.late[:e.n], func(a, b int64) bool { return a > b })
		return
	}
	if at < e.early[maxExtremes-1].at {
		e.early[maxExtremes-1] = x
		sortExtremes(e.early[:], func(a, b int64) bool { return a < b })
	}
	if at > e.late[maxExtremes-1].at {
		e.late[maxExtremes-1] = x
		sortExtremes(e.late[:], func(a, b int64) bool { return a > b })
	}
}

// sortExtremes sorts a few extremes by before (insertion sort: no
// allocation).
func sortExtremes(list []extreme, before func(a, b int64) bool) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && before(list[j].at, list[j-1].at); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

func (e *extremes) merge(o extremes) {
	for _, x := range o.early[:o.n] {
		e.note(x.at, x.source, x.line)
	}
	for _, x := range o.late[:o.n] {
		e.note(x.at, x.source, x.line)
	}
}

// all returns the extremes noted, the earliest first then the latest.
func (e *extremes) all() []extreme {
	return append(append([]extreme{}, e.early[:e.n]...), e.late[:e.n]...)
}
