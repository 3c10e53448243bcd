// Package link adds network latency in user space, faithful to round trips.
//
// A Link has a round-trip time and an optional jitter. Every crossing of the
// link (one direction) takes RTT/2, plus or minus Jitter/2 drawn uniformly, so
// any round trip takes RTT ± Jitter:
//
//   - a TCP connect costs one round trip: the dialers sleep it inside the
//     net.Dialer's Control hook, so it is measured as the connect phase;
//   - data is delayed RTT/2 in each direction through a timestamped queue:
//     bytes arriving are stamped and released to Read at stamp+delay; bytes
//     written are queued with due time now+delay and written by a goroutine
//     when due. Order is kept, Write does not sleep, deadlines work, and Close
//     flushes what was written (within a bound) before closing.
//
// With that, a TLS 1.3 handshake costs one RTT and an HTTP request/response on
// an open connection one RTT, as on a real network. Loss, bandwidth and TCP
// slow start are not modelled (see docs/lab-model.md).
//
// Wrap latency on one side of a connection only:
//
//   - Link.Dial: client-side; connect RTT and both data directions. Use it
//     when the server is plain (the edge dialing the origin).
//   - Link.WrapListener with Link.ConnectDial on the client: the server delays
//     the data of accepted connections, the client only pays the connect RTT
//     (viewer → POP, where the client is an unmodified probe or curl-like
//     client that only lets us choose its dial function).
//
// A zero Link adds nothing and returns connections unwrapped.
package link
