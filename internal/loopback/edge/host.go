package edge

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/pace"
)

// maxIdlePerHost bounds the idle origin connections one edge host keeps:
// enough that a burst of prewarm requests leaves every connection pooled.
const maxIdlePerHost = 1024

// host is one edge host of a POP, with its own origin connection pool.
type host struct {
	pop       *POP
	index     int
	id        string // 32 hex digits, in the via header
	via       string
	serverIP  netip.Addr // what cf.edgeLocation.serverIp says of the host
	log       *slog.Logger
	transport *http.Transport // the origin pool (PoolReuseFreed)
	conns     *connPool       // the origin pool (PoolNewIfNoneIdle)
	proxy     *httputil.ReverseProxy
	counters  counters
}

func newHost(p *POP, index int, id string) *host {
	h := &host{
		pop:      p,
		index:    index,
		id:       id,
		via:      cloudfront.Via(id),
		serverIP: serverIP(p.cfg.POP, index),
		log:      p.log.With("host", index),
	}
	h.transport = h.newTransport(maxIdlePerHost)
	var rt http.RoundTripper = h.transport
	if p.cfg.Field.Pool == PoolNewIfNoneIdle {
		h.conns = &connPool{host: h}
		rt = h.conns
	}
	h.proxy = &httputil.ReverseProxy{
		Rewrite:        h.rewrite,
		Transport:      rt,
		ModifyResponse: h.modifyResponse,
		ErrorHandler:   h.errorHandler,
		ErrorLog:       slog.NewLogLogger(h.log.Handler(), slog.LevelDebug),
	}
	return h
}

// newTransport is an origin connection pool of the host's settings,
// keeping at most idle connections.
func (h *host) newTransport(idle int) *http.Transport {
	cfg := h.pop.cfg
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	return &http.Transport{
		DialContext: h.dialOrigin,
		TLSClientConfig: &tls.Config{
			RootCAs:    cfg.OriginRoots,
			ServerName: cfg.originServerName(),
			MinVersion: tls.VersionTLS12,
		},
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		IdleConnTimeout:       cfg.KeepAlive,
		MaxIdleConnsPerHost:   idle,
		ResponseHeaderTimeout: cfg.OriginReadTimeout,
		DisableCompression:    true,
		Protocols:             protocols,
	}
}

// closeIdle closes the host's idle origin connections.
func (h *host) closeIdle() {
	h.transport.CloseIdleConnections()
	if h.conns != nil {
		h.conns.closeIdle()
	}
}

// dialOrigin opens a TCP connection to the origin through the POP↔origin
// link. The address asked for is the origin domain's; the lab's origin is
// at Config.OriginAddr, like a DNS answer the POP already has.
func (h *host) dialOrigin(ctx context.Context, network, _ string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, h.pop.cfg.ConnectTimeout)
	defer cancel()
	c, err := h.pop.cfg.OriginLink.Dial(ctx, network, h.pop.cfg.OriginAddr)
	if err != nil {
		return nil, fmt.Errorf("edge: connect to origin %s: %w", h.pop.cfg.OriginAddr, err)
	}
	h.counters.originOpened.Add(1)
	h.counters.originOpen.Add(1)
	return &countedConn{Conn: c, open: &h.counters.originOpen}, nil
}

// serveHTTP handles one viewer request: the POP's faults, or a proxied
// request to the origin.
func (h *host) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h.counters.requests.Add(1)
	h.pop.countAddr(r)
	if on := h.pop.cfg.OnRequest; on != nil {
		if done := on(r); done != nil {
			defer done()
		}
	}
	st := &request{
		start:        start,
		id:           cloudfront.NewRequestID(),
		serverTiming: cloudfront.AsksServerTiming(r.Header) || h.pop.sampled(),
		remote:       r.RemoteAddr,
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok {
		st.local, _ = netip.AddrFromSlice(a.IP)
		st.local = st.local.Unmap()
	}
	if l := h.pop.cfg.AccessLog; l != nil {
		lw := &logWriter{ResponseWriter: w}
		w = lw
		defer h.logRequest(l, r, st, lw)
	}
	f := h.pop.cfg.Faults
	if f.Delay > 0 && !pace.Sleep(r.Context(), f.Delay) {
		abort() // the viewer went away
	}
	if f.Status != 0 {
		h.counters.errors.Add(1)
		h.writeError(w, st, nil, f.Status, "The POP answered with an error of its own.")
		return
	}
	h.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, st)))
}

// rewrite builds the origin request: AllViewerExceptHostHeader, plus the
// headers CloudFront adds.
func (h *host) rewrite(pr *httputil.ProxyRequest) {
	cfg := h.pop.cfg
	st := requestFrom(pr.In.Context())
	pr.Out.URL.Scheme = "https"
	pr.Out.URL.Host = cfg.OriginHost
	pr.Out.Host = cfg.OriginHost
	xff := strings.Join(pr.In.Header.Values("X-Forwarded-For"), ", ")
	if ip, _, err := net.SplitHostPort(pr.In.RemoteAddr); err == nil {
		if xff != "" {
			xff += ", "
		}
		xff += ip
	}
	if xff != "" {
		pr.Out.Header.Set("X-Forwarded-For", xff)
	}
	pr.Out.Header.Add(cloudfront.HeaderVia, h.via)
	pr.Out.Header.Set(cloudfront.HeaderID, st.id)
	f := cfg.Field
	if f.HostIDPath != "" && strings.HasPrefix(pr.In.URL.Path, f.HostIDPath) {
		// What a viewer-request CloudFront Function on this path's cache
		// behavior adds: request.headers[...] = {value: cf.edgeLocation.serverIp}.
		pr.Out.Header.Set(cloudfront.HeaderEdgeServerIP, h.serverIP.String())
	}
	for name, values := range f.OriginHeaders {
		pr.Out.Header[http.CanonicalHeaderKey(name)] = values
	}
	pr.Out = pr.Out.WithContext(httptrace.WithClientTrace(pr.Out.Context(), st.upstream.trace()))
}

// modifyResponse adds CloudFront's response headers.
func (h *host) modifyResponse(resp *http.Response) error {
	st := requestFrom(resp.Request.Context())
	u := st.upstream.result()
	h.count(u)
	h.setHeaders(resp.Header, st, &u, cloudfront.CacheMiss)
	h.log.Debug("request", "method", resp.Request.Method, "path", resp.Request.URL.Path,
		"status", resp.StatusCode, "reused", u.reused, "connect", u.connect, "fbl", u.firstByte)
	return nil
}

// errorHandler answers 502 when the origin could not be reached or did not
// answer, as CloudFront does.
func (h *host) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	st := requestFrom(r.Context())
	u := st.upstream.result()
	h.count(u)
	if r.Context().Err() != nil {
		abort() // the viewer went away: no one to answer
	}
	h.counters.errors.Add(1)
	h.log.Warn("origin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	h.writeError(w, st, &u, http.StatusBadGateway, "CloudFront wasn't able to connect to the origin.")
}

// abort ends a request whose viewer went away without an answer: the
// connection (HTTP/1.1) or the stream (HTTP/2) is closed. A handler that
// just returned would send an empty 200, which a viewer closing its
// connection at that moment can still read.
func abort() { panic(http.ErrAbortHandler) }

// writeError answers with CloudFront's error page. u is the origin side, nil
// when the origin was not contacted.
func (h *host) writeError(w http.ResponseWriter, st *request, u *upstreamResult, status int, why string) {
	h.setHeaders(w.Header(), st, u, cloudfront.CacheError)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, errorPage, status, why, st.id)
}

func (h *host) count(u upstreamResult) {
	if u.reused {
		h.counters.originReused.Add(1)
	}
	if u.attempts > 1 {
		h.counters.retries.Add(1)
	}
}

// setHeaders sets x-amz-cf-pop, x-amz-cf-id, x-cache, via and, when the
// request asked or was sampled, Server-Timing. u is the origin side of the
// request, nil when the origin was not contacted. An Origin Shield's
// answers go to a POP and get none.
func (h *host) setHeaders(hdr http.Header, st *request, u *upstreamResult, xcache string) {
	if h.pop.cfg.Field.Shield {
		return
	}
	pop := h.pop.answerAs()
	hdr.Set(cloudfront.HeaderCache, xcache)
	if h.pop.cfg.Field.Via == ViaChained {
		// The origin is behind another CloudFront distribution: its POP
		// put its own via entry first, on a line of its own. Each of this
		// POP's hosts reaches one of its two hosts.
		hdr.Add(cloudfront.HeaderVia, cloudfront.Via(hashID(pop, "upstream", fmt.Sprint(h.index%2))))
	}
	hdr.Add(cloudfront.HeaderVia, cloudfront.Via(h.viaID(st)))
	hdr.Set(cloudfront.HeaderPOP, pop)
	hdr.Set(cloudfront.HeaderID, st.id)
	if st.serverTiming {
		hdr.Add(cloudfront.HeaderServerTiming, serverTiming(pop, h.pop.cfg.Field.UpstreamLayer, st.id, u, time.Since(st.start)))
	}
}

// viaID is the id the via header names for a request (Field.Via).
func (h *host) viaID(st *request) string {
	p := h.pop
	switch p.cfg.Field.Via {
	case ViaRequest:
		return p.hostID()
	case ViaConstant:
		return p.constantID
	case ViaAddress:
		return hashID(p.cfg.POP, "address", st.local.String())
	case ViaConnection:
		return hashID(p.cfg.POP, "connection", st.remote)
	}
	return h.id
}

// countedConn keeps the count of open origin connections.
type countedConn struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// errorPage is CloudFront's error page, shortened: the status, the reason
// and the request id.
const errorPage = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>%d ERROR</H1>
<H2>The request could not be satisfied.</H2>
<HR noshade size="1px">
%s
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront lab emulator)
Request ID: %s
</PRE>
<ADDRESS>
</ADDRESS>
</BODY></HTML>
`
