package plan

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The host model with origin connection pools (docs/plan.md, "The model"),
// played over a POP's seconds as the logs give them:
//
//   - A POP has H edge hosts. A viewer connection lands on one at random,
//     uniformly and independently; every later request of the connection
//     goes to the same host.
//   - Each host has a pool of origin connections. A request takes an idle
//     one (warm; the one used last, as Go's and most proxies' pools do) or,
//     when none is idle, opens a new one (cold) at once, however many of
//     the host's connections are busy (PoolOpen); under PoolReuse it takes
//     instead a busy one that frees before its own is up (Go's net/http,
//     the lab's emulator), and its own joins the pool. A connection is busy
//     for its request's busy time (time-to-first-byte, else time-taken) and
//     closes after K seconds idle.
//   - A second's requests arrive anywhere in it, uniformly and
//     independently; a request that continues a viewer connection comes
//     after its previous request ended (a connection's requests are
//     sequential), one in the same second right after it.
//
// Prewarm requests of the logs go through the same hosts and pools (they
// warm) but are not counted.

// Bounds of a run: it simulates the POP's requests often enough to have at
// least simRequests of them in all (at most simReplicas times), and at most
// simPerSecond requests of a second (more stand for several each).
const (
	simRequests  = 200_000
	simReplicas  = 64
	simPerSecond = 4096
	maxNeed      = 64 // connections per host told apart
)

// poolRun is what one keep-alive does to a POP's viewers, expected over
// the replicas.
type poolRun struct {
	// cold is, per second of the POP, the expected viewer requests that
	// found no idle origin connection.
	cold []float64
	// need[m−1] is the expected viewer requests that found no idle origin
	// connection while m−1 of their host's were busy: m = 1 is a host with
	// none open, m ≥ 2 a host whose every connection was busy (the last
	// bucket counts m ≥ maxNeed).
	need []float64
}

// event is one request of a second in the simulation.
type event struct {
	t       float64
	gap     int64 // −1: opens a viewer connection; else continues one
	prewarm bool
	parent  int32 // for gap 0: the event it follows; −1 none
	next    int32 // the event that follows it within the second; −1 none
	host    int   // once played
}

// tail is a viewer connection's latest request: its host and when its
// response ended.
type tail struct {
	host int
	end  float64
}

// tails are the connections whose latest request came in one second.
type tails struct {
	sec              int64
	viewer, prewarms []tail
}

// simulator plays the model for one POP.
type simulator struct {
	hosts   int
	keep    float64 // K, seconds
	dial    float64 // PoolReuse: the time a new connection takes; 0 for PoolOpen
	busy    float64 // busy time of a second that has none
	rng     *rand.Rand
	pools   [][]float64 // per host, the time each origin connection is free from
	ring    []tails     // by second modulo its length
	grouped bool        // some requests continue a viewer connection: keep tails
	events  []event
	heap    []int32
}

// runPools plays secs (a POP's seconds, in order) under keep-alive keep
// with hosts edge hosts, as often as the bounds say, with a seed of the
// POP's code so that a plan repeats. dial is the time a new origin
// connection takes under PoolReuse, 0 under PoolOpen.
func runPools(code string, secs []second, keep float64, hosts int, dial float64) poolRun {
	var total, busyN, busyUS uint64
	maxGap := int64(0)
	for _, s := range secs {
		total += s.n + s.prewarm
		busyN += s.busyN
		busyUS += s.busyUS
		for _, l := range s.links {
			maxGap = max(maxGap, int64(l.gap))
		}
	}
	out := poolRun{cold: make([]float64, len(secs)), need: make([]float64, maxNeed)}
	if total == 0 {
		return out
	}
	reps := int(min(max(math.Ceil(simRequests/float64(total)), 1), simReplicas))
	h := fnv.New64a()
	h.Write([]byte(code))
	sim := simulator{hosts: hosts, keep: keep, dial: dial}
	if busyN > 0 {
		sim.busy = float64(busyUS) / float64(busyN) / 1e6
	}
	sim.ring = make([]tails, min(maxGap, int64(MaxViewerIdle.Seconds()))+1)
	sim.grouped = maxGap > 0 || slices.ContainsFunc(secs, func(s second) bool { return len(s.links) > 0 })
	for r := range reps {
		sim.rng = rand.New(rand.NewPCG(h.Sum64(), uint64(r)))
		sim.pools = make([][]float64, hosts)
		for i := range sim.ring {
			sim.ring[i] = tails{sec: math.MinInt64}
		}
		for i, s := range secs {
			sim.second(s, i, &out, 1/float64(reps))
		}
	}
	return out
}

// second plays one second: its events in time order, each a connection
// that opens (a random host) or continues (its host).
func (sim *simulator) second(s second, idx int, out *poolRun, share float64) {
	total := s.n + s.prewarm
	scale := 1.0
	if total > simPerSecond {
		scale = float64(simPerSecond) / float64(total)
	}
	count := func(n uint64) int { return int(math.Round(float64(n) * scale)) }
	sim.events = sim.events[:0]
	add := func(n int, gap int64, prewarm bool) {
		for range n {
			sim.events = append(sim.events, event{t: float64(s.unix) + sim.rng.Float64(), gap: gap, prewarm: prewarm, parent: -1, next: -1})
		}
	}
	add(count(s.newViewers), -1, false)
	add(count(s.newPrewarmReqs), -1, true)
	for _, l := range s.links {
		if l.gap == 0 {
			continue
		}
		add(count(l.n), int64(l.gap), l.prewarm)
	}
	roots := len(sim.events)
	for _, l := range s.links {
		if l.gap == 0 {
			add(count(l.n), 0, l.prewarm)
		}
	}
	// A request that continues a connection within the second follows one
	// of the second's requests of its kind that no other follows yet: the
	// requests of a connection form a chain.
	var open [2][]int32 // viewer, prewarm: events without a follower
	for i := range roots {
		k := boolInt(sim.events[i].prewarm)
		open[k] = append(open[k], int32(i))
	}
	for i := roots; i < len(sim.events); i++ {
		e := &sim.events[i]
		k := boolInt(e.prewarm)
		if len(open[k]) == 0 {
			e.gap = -1 // nothing to follow: it opened a connection after all
			sim.events[i], sim.events[roots] = sim.events[roots], sim.events[i]
			open[k] = append(open[k], int32(roots))
			roots++
			continue
		}
		j := sim.rng.IntN(len(open[k]))
		p := open[k][j]
		open[k][j] = int32(i)
		e.parent = p
		sim.events[p].next = int32(i)
	}
	// A simulated viewer request stands for its share of the second's.
	var viewers float64
	for _, e := range sim.events {
		if !e.prewarm {
			viewers++
		}
	}
	weight := 0.0
	if viewers > 0 {
		weight = float64(s.n) / viewers * share
	}
	busy := sim.busy
	if s.busyN > 0 {
		busy = float64(s.busyUS) / float64(s.busyN) / 1e6
	}
	slot := sim.slot(s.unix)
	sim.heap = sim.heap[:0]
	for i := range roots {
		sim.push(int32(i))
	}
	for len(sim.heap) > 0 {
		i := sim.pop()
		e := &sim.events[i]
		host := -1
		switch {
		case e.parent >= 0:
			host = sim.events[e.parent].host
		case e.gap > 0:
			if tl, ok := sim.take(s.unix-e.gap, e.prewarm); ok {
				host = tl.host
				e.t = max(e.t, tl.end)
			}
		}
		counted := e.prewarm
		if host < 0 {
			if !e.prewarm {
				// What a viewer's new connection finds, expected over the
				// host it may land on: far less noisy than the one draw.
				sim.expect(e.t, weight, idx, out)
				counted = true
			}
			host = sim.rng.IntN(sim.hosts)
		}
		e.host = host
		cold, busyConns := sim.use(host, e.t, busy)
		end := e.t + busy
		if !counted {
			out.count(idx, cold, busyConns, weight)
		}
		switch {
		case e.next >= 0:
			c := &sim.events[e.next]
			c.t = end + sim.rng.Float64()*max(float64(s.unix+1)-end, 0)
			sim.push(e.next)
		case !sim.grouped:
		case e.prewarm:
			slot.prewarms = append(slot.prewarms, tail{host, end})
		default:
			slot.viewer = append(slot.viewer, tail{host, end})
		}
	}
}

// ring returns the place of second sec in the ring of tails.
func (sim *simulator) ringAt(sec int64) *tails {
	n := int64(len(sim.ring))
	return &sim.ring[((sec%n)+n)%n]
}

// slot returns the tails of second sec, emptied if the ring held an older
// second there.
func (sim *simulator) slot(sec int64) *tails {
	t := sim.ringAt(sec)
	if t.sec != sec {
		t.sec, t.viewer, t.prewarms = sec, t.viewer[:0], t.prewarms[:0]
	}
	return t
}

// take removes and returns one of the connections whose latest request
// came in second sec, at random.
func (sim *simulator) take(sec int64, prewarm bool) (tail, bool) {
	t := sim.ringAt(sec)
	if t.sec != sec {
		return tail{}, false
	}
	list := &t.viewer
	if prewarm {
		list = &t.prewarms
	}
	if len(*list) == 0 {
		return tail{}, false
	}
	i := sim.rng.IntN(len(*list))
	tl := (*list)[i]
	(*list)[i] = (*list)[len(*list)-1]
	*list = (*list)[:len(*list)-1]
	return tl, true
}

// count adds a viewer request of second idx of weight w that found
// busyConns connections busy, cold or not.
func (r *poolRun) count(idx int, cold bool, busyConns int, w float64) {
	m := min(busyConns, maxNeed-1)
	if cold {
		r.cold[idx] += w
		r.need[m] += w
	}
}

// expect counts a viewer request that opens a connection at time t as the
// expectation over the host it lands on: each host with its share 1/H.
func (sim *simulator) expect(t, w float64, idx int, out *poolRun) {
	share := w / float64(sim.hosts)
	for h := range sim.hosts {
		warm, busyConns := sim.state(h, t)
		out.count(idx, !warm, busyConns, share)
	}
}

// state says whether a request at time t on host would be warm and how
// many of the host's connections are busy.
func (sim *simulator) state(host int, t float64) (warm bool, busyConns int) {
	best, soonest, busyConns := sim.scan(host, t)
	return best >= 0 || sim.waits(host, t, soonest), busyConns
}

// waits reports whether, under PoolReuse, a request at time t that found
// no idle connection takes the busy one freed soonest because it frees
// before the request's own connection is up.
func (sim *simulator) waits(host int, t float64, soonest int) bool {
	return sim.dial > 0 && soonest >= 0 && sim.pools[host][soonest] < t+sim.dial
}

// use sends a request to host at time t, busy for busy seconds: it takes
// the idle origin connection used last or, when none is idle, opens one
// (cold); under PoolReuse it takes instead a busy connection that frees
// before its own is up (warm, waiting for it), and its own joins the pool
// idle. It returns whether it was cold and how many of the host's
// connections were busy.
func (sim *simulator) use(host int, t, busy float64) (cold bool, busyConns int) {
	best, soonest, busyConns := sim.scan(host, t)
	switch pool := sim.pools[host]; {
	case best >= 0:
		pool[best] = t + busy
	case sim.waits(host, t, soonest):
		pool[soonest] += busy
		sim.pools[host] = append(pool, t+sim.dial)
	default:
		sim.pools[host] = append(pool, t+busy)
		cold = true
	}
	return cold, busyConns
}

// scan drops host's origin connections closed by time t (idle for the
// keep-alive) and returns the idle one used last and the busy one that
// frees soonest (−1: none), and how many are busy.
func (sim *simulator) scan(host int, t float64) (best, soonest, busyConns int) {
	pool := sim.pools[host]
	best, soonest = -1, -1
	for i := 0; i < len(pool); {
		f := pool[i]
		switch {
		case f > t:
			busyConns++
			if soonest < 0 || f < pool[soonest] {
				soonest = i
			}
		case t-f >= sim.keep:
			pool[i] = pool[len(pool)-1]
			pool = pool[:len(pool)-1]
			continue
		case best < 0 || f > pool[best]:
			best = i
		}
		i++
	}
	sim.pools[host] = pool
	return best, soonest, busyConns
}

// push and pop keep sim.heap a min-heap of event indices by time.
func (sim *simulator) push(i int32) {
	h := append(sim.heap, i)
	for j := len(h) - 1; j > 0; {
		p := (j - 1) / 2
		if sim.events[h[p]].t <= sim.events[h[j]].t {
			break
		}
		h[p], h[j] = h[j], h[p]
		j = p
	}
	sim.heap = h
}

func (sim *simulator) pop() int32 {
	h := sim.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for j := 0; ; {
		l, r, m := 2*j+1, 2*j+2, j
		if l < len(h) && sim.events[h[l]].t < sim.events[h[m]].t {
			m = l
		}
		if r < len(h) && sim.events[h[r]].t < sim.events[h[m]].t {
			m = r
		}
		if m == j {
			break
		}
		h[j], h[m] = h[m], h[j]
		j = m
	}
	sim.heap = h
	return top
}

// colds sums a run's cold requests.
func (r poolRun) colds() float64 {
	var sum float64
	for _, c := range r.cold {
		sum += c
	}
	return sum
}

// connectionsFor returns the least m ≥ 1 such that the viewer requests
// (requests of them in all) that stay cold for want of more than m
// connections on their host, those that found m or more busy, are at most
// a share 1 − coverage of them: with m connections open on a host, that
// few are cold for want of one.
func (r poolRun) connectionsFor(requests, coverage float64) int {
	beyond := 0.0 // cold requests that found at least m busy
	for _, c := range r.need[1:] {
		beyond += c
	}
	for m := 1; m < len(r.need); m++ {
		if beyond <= (1-coverage)*requests {
			return m
		}
		beyond -= r.need[m]
	}
	return len(r.need)
}

// PoolPolicy is what an edge host does for a request that finds none of
// its origin connections idle. CloudFront's is not documented (shared
// reference, "What nobody has documented"): PoolOpen is what an
// independent proxy (nginx) does, PoolReuse what Go's net/http, and so the
// lab's emulator, does.
type PoolPolicy string

const (
	// PoolOpen: the request opens a new connection at once (cold).
	PoolOpen PoolPolicy = "open"
	// PoolReuse: the request opens a new connection but takes whichever is
	// ready first, its own or one another request frees meanwhile (warm,
	// having waited for it); its own then joins the pool. A new connection
	// takes two origin round trips (TCP, TLS 1.3): Config.OriginRTT.
	PoolReuse PoolPolicy = "reuse"
)

// PoolPolicies lists the policies, for flags.
var PoolPolicies = []PoolPolicy{PoolOpen, PoolReuse}

// dial is the time a new origin connection takes in the model: two origin
// round trips under PoolReuse, 0 (no waiting for another) under PoolOpen.
func (c Config) dial() time.Duration {
	if c.OriginPool == PoolReuse {
		return 2 * c.OriginRTT
	}
	return 0
}
