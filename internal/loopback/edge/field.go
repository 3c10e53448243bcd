package edge

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/netip"
	"strings"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Field holds the alternatives for what CloudFront does inside a POP where
// AWS does not say (shared/reference/cloudfront-facts.md, "What nobody has
// documented"): each is an option, so that the tools that must not depend
// on the answer (cfprewarm doctor, the estimator, --adapt) are tested
// against every one. The zero value is the emulator's historical POP:
// hosts shared by all addresses, a via id per host, an origin pool where a
// waiting request may take a connection another request frees, the origin
// straight behind the POP.
type Field struct {
	// Addrs are the POP's addresses, in the order its name resolves to
	// them; needed by Split and ViaAddress. A real POP's name answers
	// with four.
	Addrs []netip.Addr
	// Split gives each address hosts of its own: host i is behind address
	// i mod len(Addrs), and a connection to an address is assigned one of
	// its hosts. Otherwise any connection may land on any host.
	Split bool
	// Via is what the via header's id names (ViaHost when empty).
	Via ViaMode
	// Pool is the origin connection pool policy (PoolReuseFreed when
	// empty).
	Pool PoolPolicy
	// UpstreamLayer is what cdn-upstream-layer says: "EDGE" when empty,
	// "REC" or "Origin Shield" (the loopback CloudFront then puts a
	// shield POP between the POPs and the origin).
	UpstreamLayer string
	// HostIDPath, when set, is the path prefix of a cache behavior with a
	// viewer-request CloudFront Function that forwards
	// cf.edgeLocation.serverIp: its requests reach the origin with
	// cloudfront.HeaderEdgeServerIP set to the edge host's server address
	// (ServerIP).
	HostIDPath string
	// OriginHeaders are added to every origin request (CloudFront's origin
	// custom headers, such as the origin-verify secret).
	OriginHeaders http.Header
	// Shield makes the POP the Origin Shield of other POPs: its answers go
	// to a POP, not a viewer, and carry none of CloudFront's headers.
	Shield bool
}

// ViaMode is what a POP's via id names.
type ViaMode string

// The via modes.
const (
	ViaHost       ViaMode = "host"       // the edge host's own id
	ViaRequest    ViaMode = "request"    // a new id per response
	ViaConstant   ViaMode = "constant"   // one id for every response
	ViaAddress    ViaMode = "address"    // one id per POP address the viewer connected to
	ViaConnection ViaMode = "connection" // one id per client address and port (a reused port repeats it)
	ViaChained    ViaMode = "chained"    // the host's id after an upstream CloudFront's entry: the origin is behind CloudFront too
)

// ViaModes lists the modes, for flags and messages.
var ViaModes = []ViaMode{ViaHost, ViaRequest, ViaConstant, ViaAddress, ViaConnection, ViaChained}

// PoolPolicy is what an edge host does for a request that finds no idle
// origin connection.
type PoolPolicy string

// The pool policies.
const (
	// PoolReuseFreed: it dials, and takes whichever comes first, its new
	// connection or one another request frees meanwhile (Go's
	// http.Transport; the emulator's behavior so far).
	PoolReuseFreed PoolPolicy = "reuse-freed"
	// PoolNewIfNoneIdle: it opens a connection of its own whenever none is
	// idle at that moment (nginx's upstream keepalive), so a wave more
	// concurrent than a host's idle pool gets cold answers from a host
	// that was warm.
	PoolNewIfNoneIdle PoolPolicy = "new-if-none-idle"
)

// PoolPolicies lists the policies, for flags and messages.
var PoolPolicies = []PoolPolicy{PoolReuseFreed, PoolNewIfNoneIdle}

// Upstream layers, as cdn-upstream-layer names them.
const (
	LayerEdge         = "EDGE"
	LayerREC          = "REC"
	LayerOriginShield = "Origin Shield"
)

// problems checks the field options.
func (f Field) problems(hosts int, bad func(string, ...any)) {
	if f.Via != "" {
		if _, err := ParseViaMode(string(f.Via)); err != nil {
			bad("Field.%w", err)
		}
	}
	if f.Pool != "" {
		if _, err := ParsePoolPolicy(string(f.Pool)); err != nil {
			bad("Field.%w", err)
		}
	}
	if l := f.UpstreamLayer; l != "" && l != LayerEdge && l != LayerREC && l != LayerOriginShield {
		bad("Field.UpstreamLayer %q: want %s, %s or %s", l, LayerEdge, LayerREC, LayerOriginShield)
	}
	if (f.Split || f.Via == ViaAddress) && len(f.Addrs) == 0 {
		bad("Field.Addrs: Split and ViaAddress need the POP's addresses")
	}
	if f.Split && hosts < len(f.Addrs) {
		bad("Field.Split: %d hosts for %d addresses: want at least one host per address", hosts, len(f.Addrs))
	}
	if p := f.HostIDPath; p != "" && !strings.HasPrefix(p, "/") {
		bad("Field.HostIDPath %q: want a path starting with /", p)
	}
	for _, err := range cloudfront.HeaderErrors(f.OriginHeaders) {
		bad("Field.OriginHeaders: %v", err)
	}
}

// ParseViaMode checks a via mode's name.
func ParseViaMode(s string) (ViaMode, error) { return config.ParseChoice("via mode", s, ViaModes) }

// ParsePoolPolicy checks a pool policy's name.
func ParsePoolPolicy(s string) (PoolPolicy, error) {
	return config.ParseChoice("pool policy", s, PoolPolicies)
}

// withDefaults fills the field's zero values.
func (f Field) withDefaults() Field {
	if f.Via == "" {
		f.Via = ViaHost
	}
	if f.Pool == "" {
		f.Pool = PoolReuseFreed
	}
	if f.UpstreamLayer == "" {
		f.UpstreamLayer = LayerEdge
	}
	return f
}

// addrIndex is the position of a POP address in Field.Addrs, or -1.
func (f Field) addrIndex(ip netip.Addr) int {
	for i, a := range f.Addrs {
		if a == ip.Unmap() {
			return i
		}
	}
	return -1
}

// hashID is a 32-hex-digit id derived from the POP and a key, the same
// every time: the id of an address, a connection, an upstream host.
func hashID(pop, kind, key string) string {
	a, b := fnv.New64a(), fnv.New64()
	for _, h := range []interface{ Write([]byte) (int, error) }{a, b} {
		h.Write([]byte(pop + "\x00" + kind + "\x00" + key))
	}
	return fmt.Sprintf("%016x%016x", a.Sum64(), b.Sum64())
}

// serverIP is the address a host's CloudFront Function would see as
// cf.edgeLocation.serverIp: one per host, in 10.0.0.0/8, derived from the
// POP code and the host's index.
func serverIP(pop string, index int) netip.Addr {
	h := fnv.New32a()
	h.Write([]byte(pop))
	return netip.AddrFrom4([4]byte{10, byte(h.Sum32()), byte((index + 1) >> 8), byte(index + 1)})
}
