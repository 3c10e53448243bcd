package probe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// The direct exchange: a probe on a new HTTP/1.1 connection (Config.HTTP1
// without Reuse, what the prewarm engine sends) needs nothing of
// net/http's Transport (pooling, protocol negotiation, a reader and a
// writer goroutine per connection). The prober dials and shakes hands
// itself as always, writes the request bytes it built once, reads the
// response with http.ReadResponse and closes the connection: the same
// bytes on the wire ("Connection: close"), a fraction of the CPU.

// direct reports whether probes take the direct exchange.
func (p *Prober) direct() bool { return p.cfg.HTTP1 && !p.cfg.Reuse }

// prepareDirect writes the request once, as net/http would send it on a
// connection it will not keep.
func (p *Prober) prepareDirect() error {
	req, err := p.newRequest(context.Background())
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	req.Close = true
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	p.tuned.request = buf.Bytes()
	return nil
}

// readers are the response readers of direct exchanges.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// probeDirect sends one probe by the direct exchange.
func (p *Prober) probeDirect(ctx context.Context, a *attempt, res Result) Result {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	conn, err := p.dial(ctx, a, p.url.Scheme == "https")
	if err != nil {
		return p.fail(res, a, contextError(ctx, err), PhaseNone)
	}
	defer conn.Close()
	// The context ends the exchange through the connection's deadline.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := conn.Write(p.tuned.request); err != nil {
		return p.fail(res, a, contextError(ctx, err), PhaseRequest)
	}
	br := readers.Get().(*bufio.Reader)
	fr := &firstByteReader{Conn: conn, a: a, headerLimit: maxResponseHeaderBytes}
	br.Reset(fr)
	defer func() {
		br.Reset(nil)
		readers.Put(br)
	}()
	resp, err := http.ReadResponse(br, &http.Request{Method: p.cfg.Method})
	headersAt := time.Now()
	fr.headerLimit = 0 // the body is bounded by MaxBody
	if err != nil {
		return p.fail(res, a, contextError(ctx, err), PhaseRequest)
	}
	return p.readResponse(res, a, resp, headersAt)
}

// firstByteReader marks the attempt's first response byte and, while
// headerLimit is not 0, refuses to read more than that many bytes (the
// response headers' bound, as the Transport's MaxResponseHeaderBytes).
type firstByteReader struct {
	net.Conn
	a           *attempt
	seen        bool
	headerLimit int64
	read        int64
}

func (r *firstByteReader) Read(b []byte) (int, error) {
	if r.headerLimit > 0 {
		if r.read >= r.headerLimit {
			return 0, errHeadersTooLarge
		}
		b = b[:min(int64(len(b)), r.headerLimit-r.read)]
	}
	n, err := r.Conn.Read(b)
	r.read += int64(n)
	if n > 0 && !r.seen {
		r.seen = true
		r.a.mu.Lock()
		r.a.firstByte = time.Now()
		r.a.mu.Unlock()
	}
	return n, err
}

// contextError is ctx's error when the context ended (the deadline set on
// the connection then caused err), and err otherwise.
func contextError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}
