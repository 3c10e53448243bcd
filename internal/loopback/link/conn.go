package link

import (
	"net"
	"os"
	"sync"
	"time"
)

const (
	// queueLimit bounds the bytes held per direction, like a TCP window:
	// the reader goroutine stops reading and Write blocks beyond it.
	queueLimit = 4 << 20
	// readChunk is the size of one read from the underlying connection.
	readChunk = 32 << 10
	// flushGrace bounds how long Close keeps flushing after the last queued
	// byte was due, when the peer does not read.
	flushGrace = 5 * time.Second
)

// conn delays the data of an underlying connection by the link's one-way
// delay in each direction. Two goroutines run per conn: one reads the
// underlying connection and stamps what arrives (in), one writes what the
// user wrote when it is due (out). Both end when the conn is closed.
type conn struct {
	net.Conn
	link      Link
	in, out   *queue
	closeOnce sync.Once
}

func newConn(c net.Conn, l Link) *conn {
	lc := &conn{Conn: c, link: l, in: newQueue(queueLimit), out: newQueue(queueLimit)}
	go lc.readLoop()
	go lc.writeLoop()
	return lc
}

// Read returns data whose delay has passed, waiting for it until the read
// deadline.
func (c *conn) Read(b []byte) (int, error) {
	q := c.in
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		now := time.Now()
		if err := c.failLocked(q, "read", now); err != nil {
			return 0, err
		}
		if len(b) == 0 {
			return 0, nil
		}
		if q.headDueLocked(now) {
			return c.takeLocked(b, now)
		}
		q.waitLocked(q.nextWakeLocked())
	}
}

// failLocked returns the error an operation on q must fail with now, if
// any: the conn is closed, an earlier write failed, or the deadline passed.
func (c *conn) failLocked(q *queue, op string, now time.Time) error {
	switch {
	case q.closed:
		return c.opError(op, net.ErrClosed)
	case q.err != nil:
		return q.err
	case q.deadlinePassedLocked(now):
		return c.opError(op, os.ErrDeadlineExceeded)
	}
	return nil
}

// takeLocked copies due data into b. The end of the stream stays at the
// head, so every later Read returns it too.
func (c *conn) takeLocked(b []byte, now time.Time) (int, error) {
	q := c.in
	n := 0
	for n < len(b) && q.headDueLocked(now) {
		head := &q.items[0]
		if head.err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, head.err
		}
		k := copy(b[n:], head.data)
		n += k
		head.data = head.data[k:]
		q.size -= k
		if len(head.data) == 0 {
			q.popLocked()
		} else {
			q.signalLocked()
		}
	}
	return n, nil
}

// readLoop stamps what arrives and queues it for Read, until the end of
// the stream or an error, which is queued with the same delay.
func (c *conn) readLoop() {
	buf := make([]byte, readChunk)
	q := c.in
	for {
		n, err := c.Conn.Read(buf)
		due := time.Now().Add(c.link.OneWay())
		q.mu.Lock()
		for q.size >= q.limit && !q.closed {
			q.waitLocked(time.Time{})
		}
		if q.closed {
			q.mu.Unlock()
			return
		}
		if n > 0 {
			q.pushLocked(chunk{due: due, data: append([]byte(nil), buf[:n]...)})
		}
		if err != nil {
			q.pushLocked(chunk{due: due, err: err})
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
	}
}

// Write queues a copy of b to be written RTT/2 from now. It blocks only when
// the queue is full, until the write deadline.
func (c *conn) Write(b []byte) (int, error) {
	q := c.out
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		now := time.Now()
		if err := c.failLocked(q, "write", now); err != nil {
			return 0, err
		}
		if len(b) == 0 {
			return 0, nil
		}
		if q.size < q.limit {
			q.pushLocked(chunk{due: now.Add(c.link.OneWay()), data: append([]byte(nil), b...)})
			return len(b), nil
		}
		q.waitLocked(q.deadline)
	}
}

// writeLoop writes queued data to the underlying connection when it is due,
// several due chunks at once. After Close it flushes what is left and then
// closes the underlying connection. A write error drops the queue and is
// returned by later Writes.
func (c *conn) writeLoop() {
	q := c.out
	var bufs net.Buffers
	for {
		q.mu.Lock()
		for {
			if q.closed && (len(q.items) == 0 || q.err != nil) {
				q.mu.Unlock()
				c.Conn.Close()
				return
			}
			if q.err == nil && q.headDueLocked(time.Now()) {
				break
			}
			var until time.Time
			if len(q.items) > 0 && q.err == nil {
				until = q.items[0].due
			}
			q.waitLocked(until)
		}
		now := time.Now()
		bufs = bufs[:0]
		for q.headDueLocked(now) {
			bufs = append(bufs, q.popLocked().data)
		}
		q.mu.Unlock()

		if _, err := bufs.WriteTo(c.Conn); err != nil {
			q.mu.Lock()
			q.err = err
			clear(q.items)
			q.items = q.items[:0]
			q.size = 0
			q.signalLocked()
			q.mu.Unlock()
		}
	}
}

// Close makes Read and Write fail with net.ErrClosed at once. Data already
// written is still delivered on time: the underlying connection is closed
// after the last queued byte was written, or flushGrace after it was due if
// the peer does not read.
func (c *conn) Close() error {
	err := c.opError("close", net.ErrClosed)
	c.closeOnce.Do(func() {
		err = nil
		c.in.mu.Lock()
		c.in.closed = true
		c.in.signalLocked()
		c.in.mu.Unlock()

		q := c.out
		q.mu.Lock()
		q.closed = true
		last := time.Now()
		if n := len(q.items); n > 0 {
			last = q.items[n-1].due
		}
		q.signalLocked()
		q.mu.Unlock()
		// Unblock a write the peer never reads; the writer then closes. The
		// writer may have closed the connection already: nothing to do then.
		_ = c.Conn.SetWriteDeadline(last.Add(flushGrace))
	})
	return err
}

// opError wraps err the way a *net.TCPConn does, so that callers checking
// for net.Error timeouts or errors.Is(err, os.ErrDeadlineExceeded) see the
// same thing as without the link.
func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// SetDeadline sets the read and write deadlines.
func (c *conn) SetDeadline(t time.Time) error {
	c.in.setDeadline(t)
	c.out.setDeadline(t)
	return nil
}

// SetReadDeadline sets the deadline of Read; a Read waiting is woken.
func (c *conn) SetReadDeadline(t time.Time) error {
	c.in.setDeadline(t)
	return nil
}

// SetWriteDeadline sets the deadline of Write, which waits only when the
// outbound queue is full.
func (c *conn) SetWriteDeadline(t time.Time) error {
	c.out.setDeadline(t)
	return nil
}
