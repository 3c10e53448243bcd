package edge

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"net/netip"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// request is the state of one viewer request through a host.
type request struct {
	start        time.Time  // the request was received
	id           string     // x-amz-cf-id and cdn-rid
	serverTiming bool       // add a Server-Timing header
	local        netip.Addr // the POP address the viewer connected to
	remote       string     // the viewer's ip:port
	upstream     upstream
}

type requestKey struct{}

func requestFrom(ctx context.Context) *request {
	if st, ok := ctx.Value(requestKey{}).(*request); ok {
		return st
	}
	return &request{start: time.Now()}
}

// upstream records the origin side of a request from httptrace hooks. The
// hooks of a dial may run on another goroutine, hence the mutex.
type upstream struct {
	mu                                   sync.Mutex
	attempts                             int // connections got: more than 1 is a retry
	reused                               bool
	getConn, connectStart, tlsDone, conn time.Time
	wrote, firstByte                     time.Time
}

func (u *upstream) trace() *httptrace.ClientTrace {
	at := func(t *time.Time) func() {
		return func() {
			u.mu.Lock()
			*t = time.Now()
			u.mu.Unlock()
		}
	}
	return &httptrace.ClientTrace{
		GetConn:              func(string) { at(&u.getConn)() },
		ConnectStart:         func(string, string) { at(&u.connectStart)() },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { at(&u.tlsDone)() },
		WroteRequest:         func(httptrace.WroteRequestInfo) { at(&u.wrote)() },
		GotFirstResponseByte: at(&u.firstByte),
		GotConn: func(info httptrace.GotConnInfo) {
			u.mu.Lock()
			defer u.mu.Unlock()
			u.attempts++
			u.reused = info.Reused
			u.conn = time.Now()
		},
	}
}

// upstreamResult is what the Server-Timing metrics report.
type upstreamResult struct {
	attempts  int
	reused    bool          // the last attempt used a pooled connection
	connect   time.Duration // 0 when reused
	firstByte time.Duration // request written → first response byte; 0 if none
	gotByte   bool
}

func (u *upstream) result() upstreamResult {
	u.mu.Lock()
	defer u.mu.Unlock()
	r := upstreamResult{attempts: u.attempts, reused: u.reused}
	if u.attempts > 0 && !u.reused {
		switch {
		case !u.connectStart.IsZero() && u.tlsDone.After(u.connectStart):
			r.connect = u.tlsDone.Sub(u.connectStart)
		default:
			// A connection dialed for another request: the wait for it.
			r.connect = u.conn.Sub(u.getConn)
		}
		r.connect = max(r.connect, time.Millisecond)
	}
	if !u.firstByte.IsZero() {
		// The transport may report the request written only after the
		// response came back; the request is written as soon as the
		// connection is got, so that is the fallback.
		from := u.conn
		if u.wrote.After(from) && !u.wrote.After(u.firstByte) {
			from = u.wrote
		}
		r.gotByte = true
		r.firstByte = max(u.firstByte.Sub(from), 0)
	}
	return r
}

// serverTiming formats the Server-Timing header the way CloudFront does,
// in its order of metrics. u is the origin side, nil when the origin was not
// contacted; downstream is the time from receiving the request to the first
// byte sent.
func serverTiming(pop, layer, id string, u *upstreamResult, downstream time.Duration) string {
	metrics := make([]cloudfront.Metric, 0, 8)
	if u != nil {
		metrics = append(metrics,
			cloudfront.Description(cloudfront.MetricUpstreamLayer, layer),
			cloudfront.Duration(cloudfront.MetricUpstreamDNS, 0),
			cloudfront.Duration(cloudfront.MetricUpstreamConnect, ms(u.connect)))
		if u.gotByte {
			metrics = append(metrics, cloudfront.Duration(cloudfront.MetricUpstreamFBL, ms(u.firstByte)))
		}
		metrics = append(metrics, cloudfront.Metric{Name: cloudfront.MetricCacheMiss})
	}
	metrics = append(metrics,
		cloudfront.Description(cloudfront.MetricPOP, pop),
		cloudfront.Description(cloudfront.MetricRequestID, id),
		cloudfront.Duration(cloudfront.MetricDownstreamFBL, ms(downstream)))
	return cloudfront.FormatServerTiming(metrics)
}

// ms rounds d to whole milliseconds, as CloudFront reports them. A new
// connection's connect time is at least 1 ms already (result), so that 0
// keeps meaning "reused".
func ms(d time.Duration) float64 { return float64((d + time.Millisecond/2) / time.Millisecond) }
