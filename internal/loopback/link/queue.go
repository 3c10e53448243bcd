package link

import (
	"runtime"
	"sync"
	"time"
)

// chunk is a piece of data (or the end of the stream, err) due at a time.
type chunk struct {
	due  time.Time
	data []byte
	err  error
}

// queue is a FIFO of chunks, each released no earlier than its due time.
// Its mutex guards the state of one direction of a conn; wake is closed and
// replaced on every change so that waiters can select on it together with a
// timer.
type queue struct {
	mu       sync.Mutex
	items    []chunk
	size     int       // data bytes queued
	limit    int       // producers wait while size >= limit
	deadline time.Time // the user's read or write deadline
	closed   bool      // the conn was closed
	err      error     // writing failed (outbound queue only)
	wake     chan struct{}
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, wake: make(chan struct{})}
}

// signalLocked wakes every waiter.
func (q *queue) signalLocked() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// waitLocked releases the lock until the queue changes or until (if not
// zero) passes, then takes it again.
func (q *queue) waitLocked(until time.Time) {
	wake := q.wake
	q.mu.Unlock()
	defer q.mu.Lock()
	if until.IsZero() {
		<-wake
		return
	}
	d := time.Until(until)
	switch {
	case d <= 0:
	case d < spinBelow:
		spinUntil(until, wake)
	default:
		t := time.NewTimer(d)
		select {
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// spinBelow: shorter waits yield the processor in a loop instead of using a
// timer. A timer on a busy 2-core VM fires about a millisecond late, which
// would turn a 0.5 ms link into a 2 ms one; a long wait can afford that
// (0.5% of a 190 ms RTT), a short one cannot.
const spinBelow = 2 * time.Millisecond

// spinUntil returns at until, or earlier when done (may be nil) is closed.
func spinUntil(until time.Time, done <-chan struct{}) bool {
	for time.Now().Before(until) {
		select {
		case <-done:
			return false
		default:
			runtime.Gosched()
		}
	}
	return true
}

// pushLocked appends c and wakes the consumer.
func (q *queue) pushLocked(c chunk) {
	q.items = append(q.items, c)
	q.size += len(c.data)
	q.signalLocked()
}

// headDueLocked reports whether the first chunk is due at now.
func (q *queue) headDueLocked(now time.Time) bool {
	return len(q.items) > 0 && !now.Before(q.items[0].due)
}

// popLocked removes the first chunk and wakes producers waiting for space.
func (q *queue) popLocked() chunk {
	c := q.items[0]
	q.items[0] = chunk{}
	q.items = q.items[1:]
	q.size -= len(c.data)
	q.signalLocked()
	return c
}

// nextWakeLocked is the earlier of the head's due time and the deadline, or
// zero when there is neither.
func (q *queue) nextWakeLocked() time.Time {
	var t time.Time
	if len(q.items) > 0 {
		t = q.items[0].due
	}
	if !q.deadline.IsZero() && (t.IsZero() || q.deadline.Before(t)) {
		t = q.deadline
	}
	return t
}

// deadlinePassedLocked reports whether the user's deadline is set and past.
func (q *queue) deadlinePassedLocked(now time.Time) bool {
	return !q.deadline.IsZero() && !now.Before(q.deadline)
}

// setDeadline changes the deadline and wakes waiters so they see it.
func (q *queue) setDeadline(t time.Time) {
	q.mu.Lock()
	q.deadline = t
	q.signalLocked()
	q.mu.Unlock()
}
