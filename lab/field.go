package lab

import (
	"fmt"
	"sort"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
)

// POPField is the truth of one lab POP where CloudFront documents nothing
// (the emulator's edge.Field): what `lab serve` lists and what `cfprewarm
// doctor` should find. The zero value is the lab's usual POP: one address,
// a via id per edge host, Go's origin pool, the run's keep-alive.
type POPField struct {
	Addrs     int             `json:"addrs,omitempty"`     // addresses the POP's name resolves to (0: 1)
	Split     bool            `json:"split,omitempty"`     // each address has edge hosts of its own
	Via       edge.ViaMode    `json:"via,omitempty"`       // what the via id names ("": per host)
	Pool      edge.PoolPolicy `json:"pool,omitempty"`      // the origin pool policy ("": reuse-freed)
	KeepAlive time.Duration   `json:"keepalive,omitempty"` // this POP's origin keep-alive (0: the run's)
}

// OriginSecret is the lab origin's verification secret when the host
// identity is on (EnvConfig.HostID): the POPs send it as CloudFront's
// origin custom header would, in origin.DefaultVerifyHeader.
const OriginSecret = "lab-origin-verify-secret"

// fieldOf is the truth of a POP: the profile's own for it, else def.
func (p Profile) fieldOf(code string, def POPField) POPField {
	if f, ok := p.Field[code]; ok {
		return f
	}
	return def
}

// spec is the loopback POP of a field.
func (f POPField) spec(code string, hosts int) loopback.POPSpec {
	return loopback.POPSpec{Code: code, Hosts: hosts, AddrCount: f.Addrs, Split: f.Split, Via: f.Via, Pool: f.Pool, OriginKeepAlive: f.KeepAlive}
}

// Check reports what makes a field impossible for a POP of hosts edge
// hosts.
func (f POPField) Check(hosts int) error {
	switch {
	case f.Addrs < 0 || f.Addrs > 16:
		return fmt.Errorf("addresses %d: want 1 to 16", f.Addrs)
	case f.Split && hosts < max(f.Addrs, 1):
		return fmt.Errorf("split over %d addresses needs at least as many edge hosts (have %d)", f.Addrs, hosts)
	case f.KeepAlive < 0:
		return fmt.Errorf("keep-alive %v is negative", f.KeepAlive)
	}
	if f.Via != "" {
		if _, err := edge.ParseViaMode(string(f.Via)); err != nil {
			return err
		}
	}
	if f.Pool != "" {
		if _, err := edge.ParsePoolPolicy(string(f.Pool)); err != nil {
			return err
		}
	}
	return nil
}

// Describe says in a few words what a POP of this field does, with
// keepAlive the run's keep-alive (the truth lab serve lists).
func (f POPField) Describe(hosts int, keepAlive time.Duration) string {
	addrs := max(f.Addrs, 1)
	layout := "shared"
	if f.Split {
		layout = fmt.Sprintf("split, %d per address", hosts/addrs)
	}
	via, pool := f.Via, f.Pool
	if via == "" {
		via = edge.ViaHost
	}
	if pool == "" {
		pool = edge.PoolReuseFreed
	}
	if f.KeepAlive > 0 {
		keepAlive = f.KeepAlive
	}
	ids := map[edge.ViaMode]string{edge.ViaHost: "per host", edge.ViaRequest: "per request", edge.ViaConstant: "constant",
		edge.ViaAddress: "per address", edge.ViaConnection: "per connection", edge.ViaChained: "per host, chained"}[via]
	return fmt.Sprintf("%d hosts, %d address(es), %s; via id %s; pool %s; keep-alive %s", hosts, addrs, layout, ids, pool, keepAlive)
}

// Truth lists every POP of the environment with what it does, sorted by
// code, for people (lab serve) and tests.
func (e *Env) Truth() []string {
	p := e.cfg.Profile
	codes := p.POPs()
	sort.Strings(codes)
	var out []string
	for _, code := range codes {
		f := p.fieldOf(code, e.cfg.Field)
		out = append(out, fmt.Sprintf("%-9s %s", code, f.Describe(p.HostsOf(code, e.cfg.Hosts), e.cfg.KeepAlive)))
	}
	return out
}
