package edge

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// connPool is an edge host's origin pool under PoolNewIfNoneIdle: a
// request takes an idle connection if there is one at that moment (the
// most recently used, as nginx's upstream keepalive cache does) and
// otherwise opens one of its own, never waiting for one another request
// frees. Each connection is a transport of its own that holds at most one
// connection, so that which request uses which connection is decided
// here and not by net/http. The connection goes back to the pool when the
// proxy has read the response; it closes after the keep-alive unused
// (http.Transport.IdleConnTimeout), or when the origin closes it, and a
// request that takes it then pays a new connection as it would.
type connPool struct {
	host *host
	mu   sync.Mutex
	idle []*oneConn // idle, oldest first
}

// oneConn is a transport with one origin connection at most.
type oneConn struct {
	tr        *http.Transport
	idleSince time.Time
}

// RoundTrip sends req on an idle connection, or on a new one.
func (p *connPool) RoundTrip(req *http.Request) (*http.Response, error) {
	c := p.take()
	resp, err := c.tr.RoundTrip(req)
	if err != nil {
		c.tr.CloseIdleConnections()
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() { p.put(c) }}
	return resp, nil
}

// take returns the most recently used idle connection that the
// keep-alive has not closed yet, or a new one.
func (p *connPool) take() *oneConn {
	keepAlive := p.host.pop.cfg.KeepAlive
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if time.Since(c.idleSince) < keepAlive {
			return c
		}
		c.tr.CloseIdleConnections()
	}
	tr := p.host.newTransport(1)
	tr.MaxConnsPerHost = 1 // a request on it waits for its one connection, never dials another
	return &oneConn{tr: tr}
}

// put makes c idle again, bounded like the shared pool's idle connections.
func (p *connPool) put(c *oneConn) {
	c.idleSince = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= maxIdlePerHost {
		c.tr.CloseIdleConnections()
		return
	}
	p.idle = append(p.idle, c)
}

// closeIdle closes every idle connection.
func (p *connPool) closeIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.tr.CloseIdleConnections()
	}
}

// releaseBody calls release once, when the body is closed.
type releaseBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
