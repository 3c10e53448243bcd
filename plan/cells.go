package plan

import (
	"cmp"
	"maps"
	"math"
	"slices"
)

// blockSeconds is the span of one block of a POP's per-second cells. A
// block holds only the seconds that had requests until it is half full,
// then all of them: memory grows with a POP's active seconds, never with
// the number of requests nor with the time between them.
const blockSeconds = 64

// cell is one POP's second: its viewer requests, their time-to-first-byte,
// the time its requests (viewers' and prewarm) held an origin connection,
// and, when some of them continued a viewer connection or were prewarm
// requests, an extra in its series. 32 bytes: counts are 32-bit here and
// what goes beyond 32 bits is added to the extra's (a counts file may say
// a second had more than 2^32 requests), so that a count is 64-bit.
type cell struct {
	ttfbUS uint64 // viewers' time-to-first-byte, summed, in microseconds
	busyUS uint64 // busy time (time-to-first-byte, else time-taken), summed, in microseconds
	n      uint32 // viewer requests
	ttfbN  uint32 // viewer requests with a time-to-first-byte
	busyN  uint32 // requests with a busy time
	extra  uint32 // 1 + the index of its extra in the series; 0 for none
}

// extra is what few seconds have: prewarm requests, the requests that
// continued a viewer connection, and counts beyond 32 bits.
type extra struct {
	prewarm         uint64 // prewarm requests (they warm; they are not viewers)
	links           []link
	n, ttfbN, busyN uint64 // added to the cell's when they would not fit it
}

// link counts the requests of a second that continued a viewer
// connection whose previous request came gap seconds before.
type link struct {
	gap     uint32
	prewarm bool
	n       uint64
}

// block is blockSeconds cells: sparse (offs lists the seconds present, in
// order) or, once half full, dense (offs nil, every second). Its first
// cell is allocated with it: traffic far apart has one cell per block.
type block struct {
	offs     []uint8
	cells    []cell
	firstOff [1]uint8
	first    [1]cell
}

func newBlock() *block {
	b := &block{}
	b.offs, b.cells = b.firstOff[:0], b.first[:0]
	return b
}

// series is one POP's traffic.
type series struct {
	blocks map[int64]*block // Unix second / blockSeconds → cells
	extras []extra
	hist   *histogram // time-to-first-byte distribution; nil from a counts file
	sorted []int64    // the keys of blocks in order (keys)
	// The last block used: lines come mostly in time order.
	lastKey   int64
	lastBlock *block
}

func newSeries(withHist bool) *series {
	s := &series{blocks: map[int64]*block{}, lastKey: -1 << 62}
	if withHist {
		s.hist = new(histogram)
	}
	return s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// cell returns the cell of a Unix second, adding it.
func (s *series) cell(unix int64) *cell {
	k := floorDiv(unix, blockSeconds)
	b := s.lastBlock
	if k != s.lastKey {
		b = s.blocks[k]
		if b == nil {
			b = newBlock()
			s.blocks[k] = b
		}
		s.lastKey, s.lastBlock = k, b
	}
	return b.at(uint8(unix - k*blockSeconds))
}

// at returns the cell at offset o, adding it.
func (b *block) at(o uint8) *cell {
	if b.offs == nil && len(b.cells) == blockSeconds {
		return &b.cells[o]
	}
	i, found := slices.BinarySearch(b.offs, o)
	if found {
		return &b.cells[i]
	}
	if len(b.offs) >= blockSeconds/2 {
		dense := make([]cell, blockSeconds)
		for j, off := range b.offs {
			dense[off] = b.cells[j]
		}
		b.offs, b.cells = nil, dense
		return &b.cells[o]
	}
	b.offs = slices.Insert(b.offs, i, o)
	b.cells = slices.Insert(b.cells, i, cell{})
	return &b.cells[i]
}

// each calls fn with every cell with requests and its Unix second, in
// time order.
func (s *series) each(fn func(unix int64, c *cell)) {
	for _, k := range s.keys() {
		b := s.blocks[k]
		for i := range b.cells {
			off := int64(i)
			if b.offs != nil {
				off = int64(b.offs[i])
			}
			if c := &b.cells[i]; c.n > 0 || c.extra != 0 {
				fn(k*blockSeconds+off, c)
			}
		}
	}
}

// keys returns the series' block keys in order, kept until a block is
// added.
func (s *series) keys() []int64 {
	if len(s.sorted) != len(s.blocks) {
		s.sorted = slices.AppendSeq(s.sorted[:0], maps.Keys(s.blocks))
		slices.Sort(s.sorted)
	}
	return s.sorted
}

// extraOf returns the extra of c, adding one.
func (s *series) extraOf(c *cell) *extra {
	if c.extra == 0 {
		s.extras = append(s.extras, extra{})
		c.extra = uint32(len(s.extras))
	}
	return &s.extras[c.extra-1]
}

// addLink counts n requests of c that continued a viewer connection gap
// seconds after its previous request.
func (s *series) addLink(c *cell, gap uint32, prewarm bool, n uint64) {
	e := s.extraOf(c)
	for i := range e.links {
		if l := &e.links[i]; l.gap == gap && l.prewarm == prewarm {
			l.n += n
			return
		}
	}
	e.links = append(e.links, link{gap, prewarm, n})
}

// count adds n viewer requests, ttfbN with a time-to-first-byte and busyN
// requests with a busy time to c: to its 32-bit counts while they fit,
// else to its extra's.
func (s *series) count(c *cell, n, ttfbN, busyN uint64) {
	add := func(small *uint32, big func(*extra) *uint64, k uint64) {
		if k == 0 {
			return
		}
		if uint64(*small)+k <= math.MaxUint32 {
			*small += uint32(k)
			return
		}
		*big(s.extraOf(c)) += k
	}
	add(&c.n, func(e *extra) *uint64 { return &e.n }, n)
	add(&c.ttfbN, func(e *extra) *uint64 { return &e.ttfbN }, ttfbN)
	add(&c.busyN, func(e *extra) *uint64 { return &e.busyN }, busyN)
}

// totals returns c's counts, the extra's included.
func (s *series) totals(c *cell) (n, ttfbN, busyN uint64) {
	n, ttfbN, busyN = uint64(c.n), uint64(c.ttfbN), uint64(c.busyN)
	if c.extra != 0 {
		e := &s.extras[c.extra-1]
		n, ttfbN, busyN = n+e.n, ttfbN+e.ttfbN, busyN+e.busyN
	}
	return n, ttfbN, busyN
}

// merge adds o's cell oc into c.
func (s *series) merge(c *cell, o *series, oc *cell) {
	n, ttfbN, busyN := o.totals(oc)
	s.count(c, n, ttfbN, busyN)
	c.ttfbUS += oc.ttfbUS
	c.busyUS += oc.busyUS
	if oc.extra != 0 {
		oe := o.extras[oc.extra-1]
		if oe.prewarm > 0 {
			s.extraOf(c).prewarm += oe.prewarm
		}
		for _, l := range oe.links {
			s.addLink(c, l.gap, l.prewarm, l.n)
		}
	}
}

// mergeSeries adds o into s: o's blocks s does not have are taken as they
// are (their extras copied over), the others cell by cell.
func (s *series) mergeSeries(o *series) {
	for k, ob := range o.blocks {
		b := s.blocks[k]
		if b != nil {
			for i := range ob.cells {
				off := i
				if ob.offs != nil {
					off = int(ob.offs[i])
				}
				if oc := &ob.cells[i]; oc.n > 0 || oc.extra != 0 {
					s.merge(b.at(uint8(off)), o, oc)
				}
			}
			continue
		}
		for i := range ob.cells {
			if c := &ob.cells[i]; c.extra != 0 {
				s.extras = append(s.extras, o.extras[c.extra-1])
				c.extra = uint32(len(s.extras))
			}
		}
		s.blocks[k] = ob
	}
}

// second is one active second of a POP, in time order: what the model
// reads.
type second struct {
	unix           int64
	n              uint64 // viewer requests
	ttfbN          uint64
	ttfbUS         uint64
	busyN, busyUS  uint64
	prewarm        uint64
	links          []link
	newViewers     uint64 // viewer requests that opened a connection
	newPrewarmReqs uint64 // prewarm requests that did
}

// seconds returns the POP's seconds with requests, in time order.
func (s *series) seconds() []second {
	n := 0
	s.each(func(int64, *cell) { n++ })
	out := make([]second, 0, n)
	s.each(func(unix int64, c *cell) {
		sec := second{unix: unix, ttfbUS: c.ttfbUS, busyUS: c.busyUS}
		sec.n, sec.ttfbN, sec.busyN = s.totals(c)
		var viewerLinks, prewarmLinks uint64
		if c.extra != 0 {
			e := s.extras[c.extra-1]
			// In one order whatever the order they were added in: the model
			// plays them in this order.
			slices.SortFunc(e.links, func(a, b link) int {
				if a.prewarm != b.prewarm {
					return cmp.Compare(boolInt(a.prewarm), boolInt(b.prewarm))
				}
				return cmp.Compare(a.gap, b.gap)
			})
			sec.prewarm, sec.links = e.prewarm, e.links
			for _, l := range e.links {
				if l.prewarm {
					prewarmLinks += l.n
				} else {
					viewerLinks += l.n
				}
			}
		}
		sec.newViewers = sec.n - min(viewerLinks, sec.n)
		sec.newPrewarmReqs = sec.prewarm - min(prewarmLinks, sec.prewarm)
		out = append(out, sec)
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
