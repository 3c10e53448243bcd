package doctor

import (
	"fmt"
	"time"
)

// orderCheck checks the timeout order that keeps connections alive end to
// end: CloudFront's keep-alive < the origin's idle timeout < the load
// balancer's idle timeout (shared/reference/cloudfront-facts.md). k is the
// effective keep-alive measured (0: unknown), o the origin's measured
// idle (nil: not measured). The trap is an origin that closes idle
// connections first: CloudFront's connections then die at the origin's
// idle timeout, whatever the keep-alive says, and the effective keep-alive
// found from outside equals the origin's idle.
func orderCheck(cfg Config, k time.Duration, o *OriginIdle) *OrderCheck {
	c := &OrderCheck{KeepAlive: k, Configured: cfg.ConfiguredKeepAlive, LBIdle: cfg.LBIdle, OK: true}
	if o != nil && o.Closed {
		c.OriginIdle = o.Idle
	}
	say := func(ok bool, format string, a ...any) {
		c.OK = c.OK && ok
		c.Findings = append(c.Findings, fmt.Sprintf(format, a...))
	}
	near := func(a, b time.Duration) bool { return within(min(a, b), max(a, b), cfg.Tolerance) }
	ka := cfg.ConfiguredKeepAlive
	if ka == 0 {
		ka = k
	}
	switch {
	case c.OriginIdle > 0 && ka > 0 && c.OriginIdle <= ka:
		c.Trap = true
		say(false, "the origin closes idle connections after %v, before CloudFront's keep-alive of %v ends: every connection CloudFront keeps dies at %v; raise the origin's idle timeout above %v", round(c.OriginIdle), round(ka), round(c.OriginIdle), round(ka))
	case c.OriginIdle > 0 && k > 0 && cfg.ConfiguredKeepAlive > 0 && near(k, c.OriginIdle) && k < cfg.ConfiguredKeepAlive:
		c.Trap = true
		say(false, "the effective keep-alive (%v) is the origin's idle timeout (%v), not the configured %v: the origin closes first", round(k), round(c.OriginIdle), round(cfg.ConfiguredKeepAlive))
	case c.OriginIdle > 0 && ka > 0:
		say(true, "keep-alive %v < origin idle %v", round(ka), round(c.OriginIdle))
	}
	if cfg.ConfiguredKeepAlive > 0 && k > 0 && !c.Trap && k < cfg.ConfiguredKeepAlive && !near(k, cfg.ConfiguredKeepAlive) {
		say(false, "the effective keep-alive (%v) is shorter than the configured %v: something closes the connections first (the origin, or a load balancer; measure the origin with --origin)", round(k), round(cfg.ConfiguredKeepAlive))
	}
	if o != nil && !o.Closed && o.Error == "" {
		say(true, "the origin kept an idle connection open for %v, the longest wait (--origin-wait)", round(o.Waited))
	}
	if cfg.LBIdle > 0 && c.OriginIdle > 0 {
		if c.OriginIdle < cfg.LBIdle {
			say(true, "origin idle %v < load balancer idle %v", round(c.OriginIdle), round(cfg.LBIdle))
		} else {
			say(false, "the origin's idle timeout (%v) is not below the load balancer's (%v): the load balancer may close connections the origin still counts as open", round(c.OriginIdle), round(cfg.LBIdle))
		}
	}
	if len(c.Findings) == 0 {
		return nil
	}
	return c
}

func round(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
