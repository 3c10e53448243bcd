package edge

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
)

// newRequestID returns an id like CloudFront's x-amz-cf-id: 40 random bytes
// in padded URL-safe base64, 56 characters ending in "==".
func newRequestID() string {
	var b [40]byte
	rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

// asksServerTiming reports whether the request has "Pragma: server-timing"
// among its Pragma directives.
func asksServerTiming(h http.Header) bool {
	for _, v := range h.Values("Pragma") {
		for d := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "server-timing") {
				return true
			}
		}
	}
	return false
}
