package cloudfront

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
)

// Response headers CloudFront adds, in canonical form.
const (
	HeaderID           = "X-Amz-Cf-Id"   // request id, the log's x-edge-request-id
	HeaderPOP          = "X-Amz-Cf-Pop"  // the POP that served the request
	HeaderCache        = "X-Cache"       // "Miss from cloudfront", "Hit from cloudfront", ...
	HeaderVia          = "Via"           // "1.1 <edge host id>.cloudfront.net (CloudFront)"
	HeaderServerTiming = "Server-Timing" // cdn-* metrics, see ParseServerTiming
)

// HeaderEdgeServerIP is the request header in which a viewer-request
// CloudFront Function forwards cf.edgeLocation.serverIp, "the IPv4 or IPv6
// address of the server that handled the request" (the only documented
// identity of an edge server), to the origin, which echoes it on its
// prewarm path to requests carrying the origin-verify secret (origin,
// infra's sample stack). Names starting with X-Amz-Cf- or X-Edge- are
// CloudFront's own and cannot be set by a function, hence the project's
// prefix.
const HeaderEdgeServerIP = "X-Cfprewarm-Edge-Server-Ip"

// Values of x-cache for requests that went to the origin.
const (
	CacheMiss  = "Miss from cloudfront"
	CacheError = "Error from cloudfront"
)

// PragmaServerTiming is the Pragma directive that makes CloudFront add the
// Server-Timing header even when its sampling rate is 0.
const PragmaServerTiming = "server-timing"

// Headers are the CloudFront response headers of one request.
type Headers struct {
	ID    string `json:"id,omitempty"`    // x-amz-cf-id
	POP   string `json:"pop,omitempty"`   // x-amz-cf-pop
	Cache string `json:"cache,omitempty"` // x-cache
	Via   string `json:"via,omitempty"`   // via
}

// ReadHeaders picks CloudFront's headers out of a response's. Every via
// header line counts (a proxy may add its own line rather than extend the
// first), joined in order as one list, and kept to its last MaxViaLen bytes.
func ReadHeaders(h http.Header) Headers {
	return Headers{ID: h.Get(HeaderID), POP: h.Get(HeaderPOP), Cache: h.Get(HeaderCache), Via: boundVia(strings.Join(h.Values(HeaderVia), ", "))}
}

// MaxEdgeHostIDLen bounds an edge host id: CloudFront's are 32 hex digits,
// and an id longer than this is treated as unknown, not kept.
const MaxEdgeHostIDLen = 64

// MaxViaLen bounds the via value a Headers keeps: its last entries up to
// this many bytes, so that a hostile via of megabytes costs nothing to
// keep, while the last entry (the one that names the answering edge host)
// stays whole when it is of sane length.
const MaxViaLen = 1024

func boundVia(via string) string {
	if len(via) <= MaxViaLen {
		return via
	}
	return "…" + via[len(via)-MaxViaLen:]
}

// EdgeHost returns the edge host id of the via header ("" when there is
// none): the hex label of the last "<id>.cloudfront.net (CloudFront)" entry.
// AWS does not document it as a host id; treat it as one only after the
// data shows that ids repeat (package edgehosts judges them).
func (h Headers) EdgeHost() string { return EdgeHostID(h.Via) }

// ViaHops is the number of CloudFront entries in the via header: more than
// one means the origin is itself behind CloudFront (a chained via).
func (h Headers) ViaHops() int { _, n := parseVia(h.Via); return n }

// EdgeHostID returns the id in a via header such as
// "1.1 4fb6bd3cfb2ce84a4a5e1b8bfab9e3e2.cloudfront.net (CloudFront)", or "".
// Each proxy appends its entry, so when there are several CloudFront
// entries (the origin is behind CloudFront too) the POP that answered is
// the last one, and that is the id returned. An id longer than
// MaxEdgeHostIDLen, or not hex, is unknown ("").
func EdgeHostID(via string) string { id, _ := parseVia(via); return id }

// parseVia returns the id of the last CloudFront entry of via ("" when it
// is not a sane id) and the number of CloudFront entries.
func parseVia(via string) (id string, hops int) {
	for entry := range strings.SplitSeq(via, ",") {
		for field := range strings.FieldsSeq(entry) {
			host, ok := cutSuffixFold(field, DomainSuffix)
			if !ok || host == "" || strings.Contains(host, ".") {
				continue
			}
			hops++
			id = ""
			if len(host) <= MaxEdgeHostIDLen && isHex(strings.ToLower(host)) {
				id = strings.ToLower(host)
			}
			break
		}
	}
	return id, hops
}

// cutSuffixFold is strings.CutSuffix, ignoring ASCII case.
func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || !strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}

// Via is the via header value an edge host with the given id adds.
func Via(hostID string) string { return "1.1 " + hostID + DomainSuffix + " (CloudFront)" }

// NewRequestID returns an id in the form of CloudFront's x-amz-cf-id: 40
// random bytes in padded URL-safe base64, 56 characters ending in "==".
func NewRequestID() string {
	var b [40]byte
	rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

// AsksServerTiming reports whether a request's headers carry
// "Pragma: server-timing" among their Pragma directives.
func AsksServerTiming(h http.Header) bool {
	for _, v := range h.Values("Pragma") {
		for d := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), PragmaServerTiming) {
				return true
			}
		}
	}
	return false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
