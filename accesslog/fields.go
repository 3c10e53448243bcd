package accesslog

import "strings"

// field is one of the log fields the reader uses.
type field int

const (
	fDate        field = iota // date: 2026-11-01
	fTime                     // time: 21:02:31 (UTC)
	fTimestamp                // timestamp: Unix seconds, maybe with a fraction (real-time, v2)
	fTimestampMs              // timestamp(ms): Unix milliseconds (v2)
	fPOP                      // x-edge-location
	fMethod                   // cs-method
	fHost                     // cs(Host)
	fHostHeader               // x-host-header
	fPath                     // cs-uri-stem
	fStatus                   // sc-status
	fResultType               // x-edge-result-type
	fRequestID                // x-edge-request-id
	fTTFB                     // time-to-first-byte (seconds)
	fClientIP                 // c-ip
	fClientPort               // c-port
	fUserAgent                // cs(User-Agent)
	fTimeTaken                // time-taken (seconds)
	fSCBytes                  // sc-bytes: the response's bytes, headers included
	nFields
)

// fieldNames are the names CloudFront's standard logs use, for messages.
var fieldNames = [nFields]string{
	"date", "time", "timestamp", "timestamp(ms)", "x-edge-location", "cs-method", "cs(Host)",
	"x-host-header", "cs-uri-stem", "sc-status", "x-edge-result-type", "x-edge-request-id",
	"time-to-first-byte", "c-ip", "c-port", "cs(User-Agent)", "time-taken", "sc-bytes",
}

func (f field) String() string { return fieldNames[f] }

// aliases maps a normalized field name (see normalize) to a field. The
// names of the W3C header, of JSON keys, of Parquet columns (underscores)
// and of the real-time log configuration all normalize to these; the short
// column names of Athena's older CloudFront table (location, uri, ...) are
// accepted too, for files exported from a query.
var aliases = map[string]field{
	"date":               fDate,
	"time":               fTime,
	"timestamp":          fTimestamp,
	"timestamp-ms":       fTimestampMs,
	"x-edge-location":    fPOP,
	"location":           fPOP,
	"cs-method":          fMethod,
	"method":             fMethod,
	"cs-host":            fHost,
	"host":               fHost,
	"x-host-header":      fHostHeader,
	"host-header":        fHostHeader,
	"cs-uri-stem":        fPath,
	"uri":                fPath,
	"sc-status":          fStatus,
	"status":             fStatus,
	"x-edge-result-type": fResultType,
	"result-type":        fResultType,
	"x-edge-request-id":  fRequestID,
	"request-id":         fRequestID,
	"time-to-first-byte": fTTFB,
	"c-ip":               fClientIP,
	"request-ip":         fClientIP,
	"c-port":             fClientPort,
	"cs-user-agent":      fUserAgent,
	"user-agent":         fUserAgent,
	"time-taken":         fTimeTaken,
	"sc-bytes":           fSCBytes,
	"bytes":              fSCBytes,
}

// normalize maps a field name to the form of aliases' keys: lower case,
// underscores as dashes, "cs(Host)" as "cs-host", "timestamp(ms)" as
// "timestamp-ms".
func normalize(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '_', '(':
			b.WriteByte('-')
		case ')':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// lookupField returns the field a column name stands for.
func lookupField(name string) (field, bool) {
	f, ok := aliases[normalize(name)]
	return f, ok
}

// layout maps the columns of a line to the fields the reader uses.
type layout struct {
	cols []field // per column: the field, or -1
	n    int     // columns a line must have
	has  [nFields]bool
}

func newLayout(names []string) layout {
	l := layout{cols: make([]field, len(names)), n: len(names)}
	for i, name := range names {
		l.cols[i] = -1
		if f, ok := lookupField(name); ok && !l.has[f] {
			l.cols[i] = f
			l.has[f] = true
		}
	}
	return l
}

// missing returns why records cannot be built from this layout, or "".
func (l *layout) missing() string {
	var want []string
	if !l.has[fPOP] {
		want = append(want, "x-edge-location")
	}
	if !(l.has[fDate] && l.has[fTime]) && !l.has[fTimestamp] && !l.has[fTimestampMs] {
		want = append(want, "date and time (or timestamp)")
	}
	if len(want) == 0 {
		return ""
	}
	return "no " + strings.Join(want, ", no ") + " field"
}
