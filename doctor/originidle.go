package doctor

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cfprewarm/cfprewarm/probe"
)

// originIdle measures the origin's own idle timeout from here: one
// connection, one HTTP/1.1 request with keep-alive, then the time from the
// end of the response to the server's close (OriginWait at most). Any
// answer will do (a 403 without the origin-verify secret too): what is
// measured is how long the server keeps an idle connection.
func (d *doctor) originIdle(ctx context.Context) *OriginIdle {
	o := &OriginIdle{URL: d.cfg.Origin}
	if err := d.measureOriginIdle(ctx, o); err != nil {
		o.Error = err.Error()
	}
	return o
}

func (d *doctor) measureOriginIdle(ctx context.Context, o *OriginIdle) error {
	u, err := url.Parse(d.cfg.Origin)
	if err != nil {
		return err
	}
	addr, err := originAddr(d.cfg.Origin)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(addr)
	dctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	ips, err := probe.NewResolver(d.cfg.DNSServer).LookupNetIP(dctx, "ip", host)
	if err != nil {
		return fmt.Errorf("origin: %w", probe.NameServer(err, d.cfg.DNSServer))
	}
	raw, err := (&net.Dialer{}).DialContext(dctx, network(d.cfg.IPVersion), net.JoinHostPort(ips[0].String(), port))
	if err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	conn := tls.Client(raw, &tls.Config{ServerName: host, RootCAs: d.roots, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12})
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	conn.SetDeadline(time.Now().Add(d.cfg.Timeout))
	if err := conn.HandshakeContext(dctx); err != nil {
		return fmt.Errorf("origin: TLS: %w", err)
	}
	req, _ := http.NewRequest(http.MethodGet, d.cfg.Origin, nil)
	req.Host = u.Host
	req.Header.Set("User-Agent", d.cfg.UserAgent)
	if err := req.Write(conn); err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	o.Status = resp.StatusCode
	if resp.Close {
		return fmt.Errorf("origin: the answer closed the connection (Connection: close): no idle connection to time")
	}
	idleFrom := time.Now()
	conn.SetDeadline(idleFrom.Add(d.cfg.OriginWait))
	_, err = br.ReadByte()
	o.Waited = time.Since(idleFrom)
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("origin: interrupted after %v without a close", o.Waited.Round(time.Millisecond))
	case errors.As(err, &ne) && ne.Timeout():
		return nil // still open after OriginWait
	case err == nil:
		return fmt.Errorf("origin: sent data on an idle connection")
	}
	o.Idle, o.Closed = o.Waited, true
	return nil
}
