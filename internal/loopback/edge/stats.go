package edge

import (
	"maps"
	"sync/atomic"
)

// Counters count what went through a POP or one of its hosts.
type Counters struct {
	ViewerConns       int64 `json:"viewer_conns"`        // viewer connections accepted
	TLSHandshakes     int64 `json:"tls_handshakes"`      // viewer TLS handshakes begun (ClientHello received)
	Requests          int64 `json:"requests"`            // viewer requests
	OriginConnsOpened int64 `json:"origin_conns_opened"` // origin connections opened (TCP connected)
	OriginConnsOpen   int64 `json:"origin_conns_open"`   // origin connections open now
	OriginReused      int64 `json:"origin_reused"`       // requests served on a pooled origin connection
	Retries           int64 `json:"retries"`             // requests retried on a new connection after the origin closed a pooled one
	Errors            int64 `json:"errors"`              // requests answered with an error of the POP's own: 502 for an origin failure, Faults.Status
}

func (c *Counters) add(o Counters) {
	c.ViewerConns += o.ViewerConns
	c.TLSHandshakes += o.TLSHandshakes
	c.Requests += o.Requests
	c.OriginConnsOpened += o.OriginConnsOpened
	c.OriginConnsOpen += o.OriginConnsOpen
	c.OriginReused += o.OriginReused
	c.Retries += o.Retries
	c.Errors += o.Errors
}

// HostStats are the counters of one edge host. ID is the hex name the host
// shows in the via header.
type HostStats struct {
	ID string `json:"id"`
	Counters
}

// Stats are a POP's counters, in total and per host.
type Stats struct {
	POP string `json:"pop"`
	Counters
	Hosts []HostStats `json:"hosts"`
	// RequestsByAddr counts the requests per local address (IP, no port)
	// they came to, for a POP served on several listeners.
	RequestsByAddr map[string]int64 `json:"requests_by_addr"`
}

// counters is the live, atomic form of Counters.
type counters struct {
	viewerConns, handshakes, requests, originOpened, originOpen, originReused, retries, errors atomic.Int64
}

func (c *counters) snapshot() Counters {
	return Counters{
		ViewerConns:       c.viewerConns.Load(),
		TLSHandshakes:     c.handshakes.Load(),
		Requests:          c.requests.Load(),
		OriginConnsOpened: c.originOpened.Load(),
		OriginConnsOpen:   c.originOpen.Load(),
		OriginReused:      c.originReused.Load(),
		Retries:           c.retries.Load(),
		Errors:            c.errors.Load(),
	}
}

// Stats returns a snapshot of the POP's counters.
func (p *POP) Stats() Stats {
	s := Stats{POP: p.cfg.POP, Hosts: make([]HostStats, len(p.hosts))}
	for i, h := range p.hosts {
		s.Hosts[i] = HostStats{ID: h.id, Counters: h.counters.snapshot()}
		s.Counters.add(s.Hosts[i].Counters)
	}
	p.mu.Lock()
	s.RequestsByAddr = maps.Clone(p.byAddr)
	p.mu.Unlock()
	return s
}
