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

// ReadHeaders picks CloudFront's headers out of a response's.
func ReadHeaders(h http.Header) Headers {
	return Headers{ID: h.Get(HeaderID), POP: h.Get(HeaderPOP), Cache: h.Get(HeaderCache), Via: h.Get(HeaderVia)}
}

// EdgeHost returns the edge host id of the via header ("" when there is
// none): the hex label of the "<id>.cloudfront.net (CloudFront)" entry.
// AWS does not document it as a host id; treat it as one only after the
// data shows that ids repeat.
func (h Headers) EdgeHost() string { return EdgeHostID(h.Via) }

// EdgeHostID returns the id in a via header such as
// "1.1 4fb6bd3cfb2ce84a4a5e1b8bfab9e3e2.cloudfront.net (CloudFront)", or "".
// A via with several entries (the origin added its own) is searched for
// the CloudFront one.
func EdgeHostID(via string) string {
	for entry := range strings.SplitSeq(via, ",") {
		for field := range strings.FieldsSeq(entry) {
			id, ok := strings.CutSuffix(strings.ToLower(field), DomainSuffix)
			if ok && id != "" && !strings.Contains(id, ".") && isHex(id) {
				return id
			}
		}
	}
	return ""
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
