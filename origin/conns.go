package origin

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// connInfo is what the server knows about one client connection. The
// http.Server ConnContext hook creates it and puts it into the context of
// every request on the connection (HTTP/1.1 and HTTP/2 alike).
type connInfo struct {
	id       uint64
	requests atomic.Uint64 // requests seen on this connection so far

	// Guarded by connTracker.mu.
	state      http.ConnState
	tlsChecked bool // the handshake has been looked at (counted if complete)
}

type connInfoKey struct{}

// stateUnseen is a connection's state before its first ConnState call
// (http.StateNew is the zero value).
const stateUnseen http.ConnState = -1

// connFromContext returns the connection of a request, or nil when the
// handler runs outside a Server (Handler mounted elsewhere).
func connFromContext(ctx context.Context) *connInfo {
	ci, _ := ctx.Value(connInfoKey{}).(*connInfo)
	return ci
}

// connTracker follows every connection through http.Server's ConnState
// transitions (new → active ⇄ idle → closed) and keeps the counts /metrics
// and Stats report.
type connTracker struct {
	nextID atomic.Uint64
	reused atomic.Uint64 // requests that were not the first on their connection

	mu         sync.Mutex
	conns      map[net.Conn]*connInfo
	accepted   uint64
	handshakes uint64
	open, idle int
	fresh      int // open connections that have not yet sent a request (StateNew)
}

func newConnTracker() *connTracker {
	return &connTracker{conns: make(map[net.Conn]*connInfo)}
}

// connContext is the http.Server ConnContext hook: it runs once per accepted
// connection, before the TLS handshake and before StateNew.
func (t *connTracker) connContext(ctx context.Context, c net.Conn) context.Context {
	ci := &connInfo{id: t.nextID.Add(1), state: stateUnseen}
	t.mu.Lock()
	t.conns[c] = ci
	t.mu.Unlock()
	return context.WithValue(ctx, connInfoKey{}, ci)
}

// connState is the http.Server ConnState hook.
func (t *connTracker) connState(c net.Conn, state http.ConnState) {
	t.mu.Lock()
	ci := t.conns[c]
	if ci == nil {
		t.mu.Unlock()
		return
	}
	switch ci.state {
	case http.StateIdle:
		t.idle--
	case http.StateNew:
		t.fresh--
	}
	ci.state = state
	switch state {
	case http.StateNew:
		t.accepted++
		t.open++
		t.fresh++
	case http.StateIdle:
		t.idle++
	case http.StateClosed, http.StateHijacked:
		t.open--
		delete(t.conns, c)
	}
	// A TLS handshake has completed by the first request (first Active), or
	// never if the connection closes before one: look once, at whichever
	// comes first.
	checkTLS := !ci.tlsChecked && state != http.StateNew
	ci.tlsChecked = ci.tlsChecked || checkTLS
	t.mu.Unlock()

	if checkTLS && handshakeComplete(c) {
		t.mu.Lock()
		t.handshakes++
		t.mu.Unlock()
	}
}

func handshakeComplete(c net.Conn) bool {
	tc, ok := c.(*tls.Conn)
	return ok && tc.ConnectionState().HandshakeComplete
}

// requestStarted records one request on ci and reports whether the
// connection had carried a request before (it was reused).
func (t *connTracker) requestStarted(ci *connInfo) (reused bool) {
	if ci == nil {
		return false
	}
	reused = ci.requests.Add(1) > 1
	if reused {
		t.reused.Add(1)
	}
	return reused
}

// waitingForRequest is the number of open connections that have not yet
// sent their first request.
func (t *connTracker) waitingForRequest() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fresh
}

// snapshot fills the connection fields of st.
func (t *connTracker) snapshot(st *Stats) {
	st.ReusedConnectionRequests = t.reused.Load()
	t.mu.Lock()
	defer t.mu.Unlock()
	st.ConnectionsAccepted = t.accepted
	st.TLSHandshakes = t.handshakes
	st.ConnectionsOpen = t.open
	st.ConnectionsIdle = t.idle
}
