package accesslog

import (
	"strconv"
	"strings"
	"time"
)

// LegacyFields are the 33 fields of a CloudFront standard log (legacy), in
// CloudFront's order: the #Fields line of every file it writes.
var LegacyFields = []string{
	"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem",
	"sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type",
	"x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for",
	"ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version", "fle-status",
	"fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
	"sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end",
}

// Header is the two lines that open a standard log file.
func Header() string {
	return "#Version: 1.0\n#Fields: " + strings.Join(LegacyFields, " ") + "\n"
}

// Entry is one request as a standard log line records it. Empty strings
// and negative numbers are written as "-".
type Entry struct {
	Time                 time.Time // when the POP received the request (written in UTC, to the second)
	POP                  string    // x-edge-location
	SCBytes              int64     // bytes sent to the viewer
	ClientIP             string
	Method               string
	Host                 string // cs(Host): the distribution domain
	URIStem              string
	Status               int
	Referer, UserAgent   string
	Query, Cookie        string
	ResultType           string // Miss, Hit, Error, ...
	RequestID            string // x-amz-cf-id
	HostHeader           string
	Protocol             string // http, https
	CSBytes              int64
	TimeTaken            time.Duration
	ForwardedFor         string
	SSLProtocol          string // TLSv1.3
	SSLCipher            string // TLS_AES_128_GCM_SHA256
	ResponseResultType   string
	ProtocolVersion      string // HTTP/1.1, HTTP/2.0
	ClientPort           int
	TTFB                 time.Duration // time-to-first-byte
	DetailedResultType   string
	ContentType          string
	ContentLen           int64
	RangeStart, RangeEnd int64
}

// AppendW3C appends e as one tab-separated line of the 33 LegacyFields,
// with its newline, values escaped as CloudFront escapes them.
func AppendW3C(b []byte, e Entry) []byte {
	t := e.Time.UTC()
	b = t.AppendFormat(b, "2006-01-02\t15:04:05")
	b = appendField(b, e.POP)
	b = appendInt(b, e.SCBytes)
	b = appendField(b, e.ClientIP)
	b = appendField(b, e.Method)
	b = appendField(b, e.Host)
	b = appendField(b, e.URIStem)
	b = appendInt(b, int64(e.Status))
	b = appendField(b, e.Referer)
	b = appendField(b, e.UserAgent)
	b = appendField(b, e.Query)
	b = appendField(b, e.Cookie)
	b = appendField(b, e.ResultType)
	b = appendField(b, e.RequestID)
	b = appendField(b, e.HostHeader)
	b = appendField(b, e.Protocol)
	b = appendInt(b, e.CSBytes)
	b = appendSeconds(b, e.TimeTaken)
	b = appendField(b, e.ForwardedFor)
	b = appendField(b, e.SSLProtocol)
	b = appendField(b, e.SSLCipher)
	b = appendField(b, e.ResponseResultType)
	b = appendField(b, e.ProtocolVersion)
	b = appendField(b, "") // fle-status
	b = appendField(b, "") // fle-encrypted-fields
	b = appendInt(b, int64(e.ClientPort))
	b = appendSeconds(b, e.TTFB)
	b = appendField(b, e.DetailedResultType)
	b = appendField(b, e.ContentType)
	b = appendInt(b, e.ContentLen)
	b = appendInt(b, e.RangeStart)
	b = appendInt(b, e.RangeEnd)
	return append(b, '\n')
}

func appendField(b []byte, s string) []byte {
	b = append(b, '\t')
	if s == "" {
		return append(b, '-')
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == '"' || c == '\\' {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

func appendInt(b []byte, n int64) []byte {
	b = append(b, '\t')
	if n < 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendSeconds writes d in seconds with CloudFront's three decimals.
func appendSeconds(b []byte, d time.Duration) []byte {
	b = append(b, '\t')
	if d < 0 {
		return append(b, '-')
	}
	return strconv.AppendFloat(b, d.Seconds(), 'f', 3, 64)
}
