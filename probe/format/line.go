package format

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/probe"
)

// Name is an output format accepted by --format.
type Name string

const (
	Human          Name = "human"            // one aligned line per probe
	CheckURLTiming Name = "check-url-timing" // check_url_timing.sh's line, byte for byte in form
	JSON           Name = "json"             // JSON lines with a schema version
	CSV            Name = "csv"              // a header row, then a row per probe
)

// Names lists the formats, for help texts and validation.
var Names = []Name{Human, CheckURLTiming, JSON, CSV}

// aliases are other names ParseName accepts: "seed", the name of the
// check_url_timing.sh format before it was named after the script.
var aliases = map[string]Name{"seed": CheckURLTiming}

// ParseName checks a --format value: a name of Names, or an alias.
func ParseName(s string) (Name, error) {
	if n, ok := aliases[s]; ok {
		return n, nil
	}
	return config.ParseChoice("format", s, Names)
}

// CheckURLTimingLine is the output line of the seed document's
// check_url_timing.sh: cumulative seconds with six decimals, then the
// x-amz-cf-id.
func CheckURLTimingLine(r probe.Result) string {
	t := r.Timings
	return fmt.Sprintf("Total: %.6f, DNS: %.6f, TCP: %.6f, SSL: %.6f, Request: %.6f, x-amz-cf-id: %s",
		t.Total.Seconds(), t.NameLookup.Seconds(), t.Connect.Seconds(), t.AppConnect.Seconds(),
		t.StartTransfer.Seconds(), r.CloudFront.ID)
}

// HumanLine is one aligned line per probe, readable at a glance:
// sequence, status, phase durations, origin connection state and POP.
func HumanLine(r probe.Result) string {
	ph := r.Timings.Phases()
	var b strings.Builder
	fmt.Fprintf(&b, "%4d  ", r.Seq)
	if !r.OK() {
		fmt.Fprintf(&b, "ERR  total %s  failed in %-8s %s", ms(r.Timings.Total), r.Phase, r.Error)
		return b.String()
	}
	conn := "new "
	if r.Reused {
		conn = "kept"
	}
	fmt.Fprintf(&b, "%3d  total %s  dns %s  tcp %s  tls %s  ttfb %s  %s %-8s  origin %-7s",
		r.Status, ms(r.Timings.Total), ms(ph.DNS), ms(ph.TCP), ms(ph.TLS), ms(ph.Server),
		conn, protoShort(r.Proto), originText(r))
	if r.CloudFront.POP != "" {
		fmt.Fprintf(&b, "  %s", r.CloudFront.POP)
	}
	return strings.TrimRight(b.String(), " ")
}

func originText(r probe.Result) string {
	switch r.Origin {
	case cloudfront.OriginCold:
		return fmt.Sprintf("cold %s", strings.TrimSpace(ms(r.UpstreamConnect)))
	case cloudfront.OriginWarm:
		return "warm"
	}
	return "?"
}

func protoShort(p string) string {
	switch p {
	case "HTTP/2.0":
		return "h2"
	case "HTTP/1.1":
		return "http/1.1"
	}
	return p
}

// ms formats a duration in milliseconds, right-aligned to 8 characters.
func ms(d time.Duration) string {
	return fmt.Sprintf("%6.1fms", float64(d)/float64(time.Millisecond))
}

// Writer writes probe results in one format as they come.
type Writer struct {
	w      io.Writer
	format Name
	header bool
}

// envelope starts every JSON line: the schema version and the record type.
type envelope struct {
	Schema int    `json:"schema"`
	Type   string `json:"type"`
}

// NewWriter returns a writer of results in format f.
func NewWriter(w io.Writer, f Name) *Writer {
	return &Writer{w: w, format: f}
}

// Write writes one result.
func (w *Writer) Write(r probe.Result) error {
	switch w.format {
	case CheckURLTiming:
		_, err := fmt.Fprintln(w.w, CheckURLTimingLine(r))
		return err
	case JSON:
		b, err := r.MarshalJSONWith(envelope{probe.SchemaVersion, "probe"})
		if err != nil {
			return err
		}
		_, err = w.w.Write(append(b, '\n'))
		return err
	case CSV:
		if !w.header {
			w.header = true
			if err := writeCSVHeader(w.w); err != nil {
				return err
			}
		}
		return writeCSVRow(w.w, r)
	default:
		_, err := fmt.Fprintln(w.w, HumanLine(r))
		return err
	}
}
