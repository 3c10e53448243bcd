package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// Prober sends probes for one Config. Probe is safe for concurrent use
// unless Config.Reuse is set (a series on one kept connection is sequential).
type Prober struct {
	cfg      Config
	url      *url.URL
	host     string // URL host name: the SNI and the Host
	port     string
	resolves []resolveRule
	connects []connectRule
	resolver *net.Resolver
	tlsConf  *tls.Config
	tuned    tuned // TLS tuning and the direct HTTP/1.1 exchange (tls.go, direct.go)

	// Reuse mode: one transport whose dial reports into the current attempt.
	mu     sync.Mutex
	shared *http.Transport
	cur    *attempt
}

// NewProber validates cfg and prepares a prober.
func NewProber(cfg Config) (*Prober, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.URL) // validated
	p := &Prober{cfg: cfg, url: u, host: strings.ToLower(u.Hostname()), port: u.Port()}
	if p.port == "" {
		p.port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	for _, r := range cfg.Resolve {
		rr, _ := parseResolve(r)
		p.resolves = append(p.resolves, rr)
	}
	for _, r := range cfg.ConnectTo {
		cr, _ := parseConnectTo(r)
		p.connects = append(p.connects, cr)
	}
	p.resolver = NewResolver(cfg.DNSServer)
	p.tlsConf = &tls.Config{
		ServerName: p.host,
		RootCAs:    cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
	}
	if cfg.HTTP1 {
		p.tlsConf.NextProtos = []string{"http/1.1"}
	}
	p.tune()
	if p.direct() {
		if err := p.prepareDirect(); err != nil {
			return nil, err
		}
	}
	if cfg.Reuse {
		p.shared = p.newTransport(func() *attempt {
			p.mu.Lock()
			defer p.mu.Unlock()
			return p.cur
		})
	}
	return p, nil
}

// Close releases kept connections.
func (p *Prober) Close() error {
	if p.shared != nil {
		p.shared.CloseIdleConnections()
	}
	return nil
}

// attempt collects the measurements of one probe as it runs.
type attempt struct {
	mu         sync.Mutex
	start      time.Time
	dnsDone    time.Time
	connDone   time.Time
	tlsDone    time.Time
	firstByte  time.Time
	phase      Phase
	remote     string
	local      string
	tlsVersion uint16
	tlsResumed bool
	reused     bool

	afterHandshake func() // the AfterHandshake option (tls.go)
}

func (a *attempt) mark(t *time.Time, next Phase) {
	a.mu.Lock()
	*t = time.Now()
	a.phase = next
	a.mu.Unlock()
}

func (a *attempt) setPhase(ph Phase) {
	a.mu.Lock()
	a.phase = ph
	a.mu.Unlock()
}

// newTransport builds a transport whose dials are measured into the attempt
// returned by current.
func (p *Prober) newTransport(current func() *attempt) *http.Transport {
	tr := &http.Transport{
		Proxy:                  nil, // a probe measures the path it is given, never a proxy
		DisableKeepAlives:      !p.cfg.Reuse,
		ForceAttemptHTTP2:      !p.cfg.HTTP1,
		TLSClientConfig:        p.tlsConf.Clone(), // net/http edits NextProtos of its transport's config: probes may run concurrently
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		DisableCompression:     true,
	}
	if p.cfg.HTTP1 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	if p.url.Scheme == "https" {
		tr.DialTLSContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return p.dial(ctx, current(), true)
		}
	} else {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return p.dial(ctx, current(), false)
		}
	}
	return tr
}

// dial resolves, connects and handshakes, timing each step itself.
func (p *Prober) dial(ctx context.Context, a *attempt, useTLS bool) (net.Conn, error) {
	addrs, err := p.addresses(ctx, a)
	if err != nil {
		return nil, err
	}
	a.mark(&a.dnsDone, PhaseConnect)

	dial := p.cfg.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	var conn net.Conn
	for _, addr := range addrs {
		conn, err = dial(ctx, p.cfg.Network, addr)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.remote = conn.RemoteAddr().String()
	a.local = conn.LocalAddr().String()
	a.mu.Unlock()
	if !useTLS {
		a.mark(&a.connDone, PhaseRequest)
		a.mark(&a.tlsDone, PhaseRequest)
		return conn, nil
	}
	a.mark(&a.connDone, PhaseTLS)

	tc, err := p.handshake(ctx, conn, func() (net.Conn, error) { return dial(ctx, p.cfg.Network, conn.RemoteAddr().String()) }, a.afterHandshake)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	st := tc.ConnectionState()
	a.tlsVersion, a.tlsResumed = st.Version, st.DidResume
	a.mu.Unlock()
	a.mark(&a.tlsDone, PhaseRequest)
	return tc, nil
}

// addresses returns the ip:port candidates to dial, applying Address,
// --connect-to and --resolve, and looking the name up otherwise.
func (p *Prober) addresses(ctx context.Context, a *attempt) ([]string, error) {
	if p.cfg.Address != "" {
		return []string{p.cfg.Address}, nil
	}
	host, port := p.host, p.port
	for _, r := range p.connects {
		if (r.host == "" || r.host == host) && (r.port == "" || r.port == port) {
			if r.toHost != "" {
				host = strings.ToLower(r.toHost)
			}
			if r.toPort != "" {
				port = r.toPort
			}
			break
		}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		for _, r := range p.resolves {
			if r.host == host && r.port == port {
				ips = r.addrs
				break
			}
		}
		if ips == nil {
			a.setPhase(PhaseDNS)
			found, err := p.resolver.LookupNetIP(ctx, lookupNetwork(p.cfg.Network), host)
			if err != nil {
				return nil, NameServer(err, p.cfg.DNSServer)
			}
			ips = found
		}
	}
	var out []string
	for _, ip := range ips {
		ip = ip.Unmap()
		if p.cfg.Network == "tcp4" && !ip.Is4() || p.cfg.Network == "tcp6" && !ip.Is6() {
			continue
		}
		out = append(out, netip.AddrPortFrom(ip, 0).Addr().String())
	}
	if len(out) == 0 {
		a.setPhase(PhaseDNS)
		return nil, &net.DNSError{Err: "no address of the wanted family", Name: host, IsNotFound: true}
	}
	for i, ip := range out {
		out[i] = net.JoinHostPort(ip, port)
	}
	return out, nil
}

func lookupNetwork(network string) string {
	switch network {
	case "tcp4":
		return "ip4"
	case "tcp6":
		return "ip6"
	}
	return "ip"
}

// Probe sends one request and measures it. It never returns an error: a
// failure is described in the Result (Error, Phase, Kind). The options
// change this probe only (AfterHandshake).
func (p *Prober) Probe(ctx context.Context, seq int, opts ...Option) Result {
	a := &attempt{start: time.Now(), phase: PhaseDNS}
	for _, o := range opts {
		o(a)
	}
	res := Result{Seq: seq, Start: a.start, URL: p.cfg.URL}

	if p.direct() {
		return p.probeDirect(ctx, a, res)
	}
	var tr *http.Transport
	if p.cfg.Reuse {
		p.mu.Lock()
		p.cur = a
		p.mu.Unlock()
		tr = p.shared
	} else {
		tr = p.newTransport(func() *attempt { return a })
		defer tr.CloseIdleConnections()
	}

	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			a.mu.Lock()
			a.reused = info.Reused
			if info.Reused {
				a.remote = info.Conn.RemoteAddr().String()
				a.local = info.Conn.LocalAddr().String()
				a.phase = PhaseRequest
			}
			a.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			a.mu.Lock()
			if a.firstByte.IsZero() {
				a.firstByte = time.Now()
			}
			a.mu.Unlock()
		},
	}
	req, err := p.newRequest(httptrace.WithClientTrace(ctx, trace))
	if err != nil {
		return p.fail(res, a, err, PhaseRequest)
	}
	resp, err := tr.RoundTrip(req)
	headersAt := time.Now()
	if err != nil {
		return p.fail(res, a, err, PhaseNone)
	}
	return p.readResponse(res, a, resp, headersAt)
}

// newRequest builds the request of a probe: the method, URL and headers
// of the configuration.
func (p *Prober) newRequest(ctx context.Context) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, p.cfg.Method, p.cfg.URL, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range p.cfg.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if p.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", p.cfg.UserAgent)
	}
	if p.cfg.ServerTiming {
		req.Header.Add("Pragma", cloudfront.PragmaServerTiming)
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	return req, nil
}

// readResponse reads the body of a response whose headers arrived at
// headersAt and completes the result.
func (p *Prober) readResponse(res Result, a *attempt, resp *http.Response, headersAt time.Time) Result {
	a.mu.Lock()
	if a.firstByte.IsZero() || a.firstByte.After(headersAt) {
		a.firstByte = headersAt
	}
	a.phase = PhaseResponse
	a.mu.Unlock()

	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, p.cfg.MaxBody))
	resp.Body.Close()
	end := time.Now()
	res.BodyBytes = n
	res.Status = resp.StatusCode
	res.Proto = resp.Proto
	p.readHeaders(&res, resp.Header)
	if err != nil {
		return p.fail(res, a, err, PhaseResponse)
	}
	p.fillTimings(&res, a, end)
	return res
}

// readHeaders copies the CloudFront headers and parses Server-Timing.
func (p *Prober) readHeaders(res *Result, h http.Header) {
	res.CloudFront = cloudfront.ReadHeaders(h)
	if p.cfg.HostIDHeader != "" {
		if id := h.Get(p.cfg.HostIDHeader); len(id) <= cloudfront.MaxEdgeHostIDLen {
			res.HostID = id
		}
	}
	if st := h.Values(cloudfront.HeaderServerTiming); len(st) > 0 {
		res.ServerTiming = cloudfront.ParseServerTiming(strings.Join(st, ","))
		res.Origin, res.UpstreamConnect = cloudfront.OriginFromMetrics(res.ServerTiming)
	}
}

// fillTimings turns the attempt's instants into cumulative timings with
// curl's semantics: a step that did not happen takes the previous value.
func (p *Prober) fillTimings(res *Result, a *attempt, end time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	since := func(t time.Time, prev time.Duration) time.Duration {
		if t.IsZero() {
			return prev
		}
		if d := t.Sub(a.start); d > prev {
			return d
		}
		return prev
	}
	res.Reused = a.reused
	res.RemoteAddr = a.remote
	res.LocalAddr = a.local
	if a.tlsVersion != 0 {
		res.TLSVersion = tls.VersionName(a.tlsVersion)
		res.TLSResumed = a.tlsResumed
	}
	if a.reused { // no DNS, connect or TLS on a kept connection
		a.dnsDone, a.connDone, a.tlsDone = time.Time{}, time.Time{}, time.Time{}
	}
	t := &res.Timings
	t.NameLookup = since(a.dnsDone, 0)
	t.Connect = since(a.connDone, t.NameLookup)
	t.AppConnect = since(a.tlsDone, t.Connect)
	t.StartTransfer = since(a.firstByte, t.AppConnect)
	t.Total = since(end, t.StartTransfer)
}

// fail records an error. The phase is the step in progress unless given.
func (p *Prober) fail(res Result, a *attempt, err error, phase Phase) Result {
	end := time.Now()
	p.fillTimings(&res, a, end)
	if phase == PhaseNone {
		a.mu.Lock()
		phase = a.phase
		a.mu.Unlock()
	}
	res.Phase = phase
	msg := oneLine(cleanError(err).Error())
	if !strings.HasPrefix(msg, string(phase)+": ") { // crypto/tls says "tls: ..." itself
		msg = string(phase) + ": " + msg
	}
	res.Fail(classify(err), msg)
	return res
}

// classify maps an error to a kind a user can count.
func classify(err error) cloudfront.ErrorKind {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var alert tls.AlertError
	var recErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return cloudfront.KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return cloudfront.KindTimeout
	case errors.As(err, &dnsErr):
		return cloudfront.KindDNS
	case isRefused(err):
		return cloudfront.KindRefused
	case errors.As(err, &certErr), errors.As(err, &alert), errors.As(err, &recErr),
		strings.Contains(err.Error(), "tls:"), strings.Contains(err.Error(), "x509:"):
		return cloudfront.KindTLS
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), isReset(err),
		strings.Contains(err.Error(), "malformed"), isProtocolViolation(err.Error()):
		return cloudfront.KindProtocol
	}
	return cloudfront.KindOther
}

// maxResponseHeaderBytes bounds the response headers a probe reads.
const maxResponseHeaderBytes = 1 << 20

// errHeadersTooLarge is the direct exchange's error for response headers
// beyond maxResponseHeaderBytes, in net/http's words.
var errHeadersTooLarge = errors.New("server response headers exceeded 1048576 bytes")

// protocolViolations are net/http's messages (its types are unexported) for
// a server breaking HTTP: response headers beyond MaxResponseHeaderBytes
// (HTTP/1.1) or the header list limit (HTTP/2), and HTTP/2 connection and
// stream errors such as the COMPRESSION_ERROR of an oversized header.
var protocolViolations = []string{
	"server response headers exceeded",
	"header list larger than advertised limit",
	"connection error: ",
	"stream error: ",
}

func isProtocolViolation(msg string) bool {
	for _, m := range protocolViolations {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// cleanError drops the *url.Error wrapper ("Get \"https://...\": ") that
// repeats the URL on every line.
func cleanError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
