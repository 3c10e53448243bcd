package schedule

import (
	"encoding/json"
	"sync"
	"time"
)

// DefaultTolerance is how far past its time a slot may be and still be
// sent (at once) by its owner: its gap grows by at most that, within the
// margin.
const DefaultTolerance = time.Second

// Grid is the aligned schedule's wave grid: a slot at every multiple of
// Period since the Unix epoch, owned by the invocations of a schedule of
// the given Rate and Lateness (see the package comment).
type Grid struct {
	Period    time.Duration
	Rate      time.Duration
	Lateness  Lateness
	Tolerance time.Duration // a slot at most this far past is still sent
}

// Grid is the aligned option's grid (the other kinds have none: a zero
// Grid).
func (o Option) Grid() Grid {
	if o.Kind != KindAligned {
		return Grid{}
	}
	return Grid{Period: o.Period, Rate: o.Rate, Lateness: o.Lateness, Tolerance: DefaultTolerance}
}

// Window is the time the invocation scheduled at s owns:
// [s + Lateness.Max, s + Lateness.Max + Rate). The windows of consecutive
// invocations tile time.
func (g Grid) Window(scheduled time.Time) (from, to time.Time) {
	from = scheduled.Add(g.Lateness.Max)
	return from, from.Add(g.Rate)
}

// Slots are the grid's slots in [from, to), in order.
func (g Grid) Slots(from, to time.Time) []time.Time {
	var out []time.Time
	p := int64(g.Period)
	first := ceilDiv(from.UnixNano(), p)
	for k := first; ; k++ {
		t := time.Unix(0, k*p).UTC()
		if !t.Before(to) {
			return out
		}
		out = append(out, t)
	}
}

// ceilDiv is ⌈a / b⌉ for b > 0.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}

// Status is what an invocation does with its window.
type Status string

// The statuses of an invocation.
const (
	// OnTime: every slot of its window is ahead; it sends them all.
	OnTime Status = "on-time"
	// Late: it started after some of its slots; it sends the rest.
	Late Status = "late"
	// Stale: it started after every slot of its window, or after the
	// window: nothing to send.
	Stale Status = "stale"
	// NoSlot: its window holds no slot (the period is longer than the
	// rate): nothing to send, it returns at once.
	NoSlot Status = "no-slot"
	// Duplicate: its scheduled time was served before in this process.
	Duplicate Status = "duplicate"
)

// Invocation is what one invocation of the aligned Lambda owns and sends.
type Invocation struct {
	Scheduled time.Time   // the scheduled time it stands for
	From, To  time.Time   // its window
	Owned     int         // the grid's slots in its window
	Due       []time.Time // the slots it sends, in order
	Status    Status
}

// Missed is the number of owned slots it does not send because they had
// passed when it started (late, stale); a duplicate or slot-less one
// misses none.
func (i Invocation) Missed() int {
	if i.Status != Late && i.Status != Stale {
		return 0
	}
	return i.Owned - len(i.Due)
}

// Plan is what the invocation scheduled at s and starting now owns and
// sends: the slots of its window not more than Tolerance in the past. A
// slot in the past but within Tolerance is sent at once.
func (g Grid) Plan(scheduled, now time.Time) Invocation {
	from, to := g.Window(scheduled)
	inv := Invocation{Scheduled: scheduled.UTC(), From: from.UTC(), To: to.UTC()}
	slots := g.Slots(from, to)
	inv.Owned = len(slots)
	switch {
	case !now.Before(to):
		inv.Status = Stale
		return inv
	case len(slots) == 0:
		inv.Status = NoSlot
		return inv
	}
	for _, t := range slots {
		if !now.After(t.Add(g.Tolerance)) {
			inv.Due = append(inv.Due, t)
		}
	}
	switch {
	case len(inv.Due) == len(slots):
		inv.Status = OnTime
	case len(inv.Due) > 0:
		inv.Status = Late
	default:
		inv.Status = Stale
	}
	return inv
}

// MarshalJSON writes the invocation for the Lambda's summary: times in
// RFC 3339 (UTC), the slots owned, the slots it sends and its status.
func (i Invocation) MarshalJSON() ([]byte, error) {
	due := make([]string, len(i.Due))
	for k, t := range i.Due {
		due[k] = t.Format(time.RFC3339Nano)
	}
	return json.Marshal(struct {
		Scheduled string   `json:"scheduled"`
		From      string   `json:"window_from"`
		To        string   `json:"window_to"`
		Owned     int      `json:"slots_owned"`
		Due       []string `json:"slots_sent"`
		Missed    int      `json:"slots_missed"`
		Status    Status   `json:"status"`
	}{i.Scheduled.Format(time.RFC3339Nano), i.From.Format(time.RFC3339Nano), i.To.Format(time.RFC3339Nano),
		i.Owned, due, i.Missed(), i.Status})
}

// Ledger remembers the scheduled times served in one process (a Lambda
// execution environment), to tell a duplicate delivery. An environment
// runs one invocation at a time, so a duplicate that reaches another
// environment while the first runs is not seen: it sends its slots again
// (extra requests, no gap).
type Ledger struct {
	mu     sync.Mutex
	served map[int64]time.Time // scheduled time → end of its window
}

// Claim returns inv, or inv as a Duplicate with nothing to send when its
// scheduled time was claimed before. It forgets times whose window ended
// before now: a delivery after its window is stale anyway.
func (l *Ledger) Claim(inv Invocation, now time.Time) Invocation {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, end := range l.served {
		if !now.Before(end) {
			delete(l.served, k)
		}
	}
	key := inv.Scheduled.UnixNano()
	if _, seen := l.served[key]; seen {
		inv.Due, inv.Status = nil, Duplicate
		return inv
	}
	if l.served == nil {
		l.served = map[int64]time.Time{}
	}
	l.served[key] = inv.To
	return inv
}
