package format

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/doctor"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/errwriter"
)

// WriteText writes the report for people: what answers, then a block per
// POP, the origin and the timeout order, each line a finding and what it
// means.
func WriteText(w io.Writer, r *doctor.Report) error {
	ew := errwriter.New(w)
	ew.Printf("cfprewarm doctor  %s  host %s  %s  port %d\n", r.Distribution, r.Host, r.Path, r.Port)
	if id := r.CloudFront; id != nil {
		ew.Printf("\n")
		line(ew, "CloudFront", identityText(id))
		if id.Error == "" {
			line(ew, "Server-Timing", onOff(id.ServerTiming))
			line(ew, "upstream layer", id.Meaning)
		}
	}
	for _, p := range r.POPs {
		writePOP(ew, p)
	}
	if o := r.Origin; o != nil {
		ew.Printf("\norigin %s\n", o.URL)
		line(ew, "idle timeout", originText(o))
	}
	if c := r.Order; c != nil {
		verdict := "OK"
		if c.Trap {
			verdict = "TRAP: the origin closes first"
		} else if !c.OK {
			verdict = "PROBLEM"
		}
		ew.Printf("\ntimeout order  %s  (CloudFront keep-alive < origin idle < load balancer idle)\n", verdict)
		for _, f := range c.Findings {
			ew.Printf("  %s\n", f)
		}
	}
	ew.Printf("\nrequests sent: %d of at most %d (budget %d); took %s\n", r.Budget.Sent, r.Budget.Planned, r.Budget.Limit, r.Duration.Round(100*time.Millisecond))
	if r.Interrupted {
		ew.Printf("interrupted: the report holds what was measured until then\n")
	}
	return ew.Err()
}

func line(ew *errwriter.Writer, what, text string) { ew.Printf("  %-16s %s\n", what, text) }

func onOff(on bool) string {
	if on {
		return "on (requests send Pragma: server-timing)"
	}
	return "off"
}

func identityText(id *doctor.Identity) string {
	switch {
	case id.Error != "":
		return "no answer: " + id.Error
	case !id.CloudFront:
		return fmt.Sprintf("no (status %d, no CloudFront header)", id.Status)
	}
	s := fmt.Sprintf("yes (%s), status %d", strings.Join(id.Evidence, ", "), id.Status)
	if id.POP != "" {
		s += ", answered by " + id.POP
	}
	return s
}

func writePOP(ew *errwriter.Writer, p doctor.POPReport) {
	ew.Printf("\nPOP %s  %s\n", p.POP, p.Name)
	if d := p.DNS; d != nil && d.Error == "" {
		stable := "stable"
		if !d.Stable {
			stable = fmt.Sprintf("changing (%d addresses seen)", d.Seen)
		}
		line(ew, "DNS", fmt.Sprintf("%d address(es), TTL %d s, %s over %d lookups: %s", d.Count, d.TTL, stable, d.Lookups, addrs(d.Addrs)))
	}
	if c := p.Census; c != nil {
		line(ew, "edge host ids", idsText(c))
		line(ew, "hosts", hostsText(c.Hosts, c.Why))
		if len(c.ByAddr) > 1 {
			var parts []string
			for _, a := range c.ByAddr {
				parts = append(parts, fmt.Sprintf("%s %s", a.Addr, estimateText(a.Hosts, a.IDs)))
			}
			line(ew, "per address", strings.Join(parts, "; "))
		}
		if k := c.Kept; k != nil {
			line(ew, "kept connection", fmt.Sprintf("%d answers on one connection named %d id(s)%s", k.Answers, k.IDs, keptMeaning(k)))
		}
		if h := c.HostID; h != nil {
			line(ew, "host identity", fmt.Sprintf("%s: %d servers in %d answers, %s; %s", h.Header, h.Servers, h.Answers, hostsText(h.Hosts, ""), h.Why))
		}
	}
	if k := p.KeepAlive; k != nil {
		line(ew, "keep-alive", keepAliveText(k))
	}
	if pe := p.Penalty; pe != nil {
		line(ew, "cold penalty", fmt.Sprintf("%s (median first byte cold %s − warm %s, of %d cold and %d warm answers): origin RTT ≈ %s; cdn-upstream-connect %s → RTT ≈ %s",
			ms(pe.Penalty), ms(pe.ColdFirstByte), ms(pe.WarmFirstByte), pe.Cold, pe.Warm, ms(pe.OriginRTT), ms(pe.UpstreamConnect), ms(pe.ConnectRTT)))
	}
	if p.Error != "" {
		line(ew, "stopped", p.Error)
	}
}

func idsText(c *doctor.Census) string {
	s := fmt.Sprintf("%s (%d ids in %d answers with one", c.Verdict, c.IDs, c.Answers)
	if c.Hops > 1 {
		s += fmt.Sprintf("; via holds %d CloudFront entries: the origin is behind CloudFront too, the last entry is this POP's", c.Hops)
	}
	s += ")"
	switch c.Layout {
	case edgehosts.LayoutShared:
		s += "; layout shared: the same hosts answer behind several addresses"
	case edgehosts.LayoutDisjoint:
		s += "; layout disjoint: each address has hosts of its own"
	}
	if c.Verdict.Suspect() {
		s += "; suspect: the ids name no host"
	}
	return s
}

func keptMeaning(k *doctor.Kept) string {
	if k.IDs > 1 {
		return ": the id changes on one connection, it names requests"
	}
	return ""
}

func hostsText(e *doctor.Estimate, why string) string {
	if e == nil {
		if why == "" {
			return "no estimate"
		}
		return "no estimate: " + why
	}
	return fmt.Sprintf("%d [%d–%d] (%.0f%% interval)", e.Hosts, e.Low, e.High, 100*e.Level)
}

func estimateText(e *doctor.Estimate, ids int) string {
	if e == nil {
		return fmt.Sprintf("%d id(s), no estimate", ids)
	}
	return fmt.Sprintf("%d [%d–%d]", e.Hosts, e.Low, e.High)
}

func keepAliveText(k *doctor.KeepAlive) string {
	trials := fmt.Sprintf("%d trials, %d requests", len(k.Trials), k.Requests)
	if !k.Known {
		return fmt.Sprintf("unknown: %s (%s)", k.Why, trials)
	}
	s := fmt.Sprintf("%s (warm after %s, cold after %s; %s)", secs(k.K), secs(k.WarmAt), secs(k.ColdAt), trials)
	if k.Why != "" {
		s += "; " + k.Why
	}
	return s
}

func originText(o *doctor.OriginIdle) string {
	switch {
	case o.Error != "":
		return "unknown: " + o.Error
	case !o.Closed:
		return fmt.Sprintf("longer than %s (status %d; still open when the wait ended)", secs(o.Waited), o.Status)
	}
	return fmt.Sprintf("%s (status %d; the server closed an idle kept-alive connection)", secs(o.Idle), o.Status)
}

func addrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1e3) }

func secs(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}
