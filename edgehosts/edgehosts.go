// Package edgehosts owns what is known about the number of edge hosts of a
// CloudFront POP: the estimator (EstimateHosts, the maximum-likelihood host
// count and its likelihood-ratio interval from the edge host ids of a POP's
// responses, pooled over waves by a Tracker; estimate.go says which
// estimator and why), the coverage of N requests (Coverage, RequestsFor),
// and the hosts file that the prewarm engine writes from its measurements
// (`cfprewarm warm --hosts-out`) and that the planner reads (`cfprewarm
// plan --hosts-file`). A hand-written CSV with a "pop,hosts" header is read
// too.
package edgehosts

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/atomicfile"
)

// SchemaVersion is the version of the hosts file's JSON form. 2: an entry
// may say what the ids name (verdict), how hosts and addresses relate
// (layout, addresses) and the effective origin keep-alive measured
// (keepalive_s, `cfprewarm doctor`); the file says what wrote it (source).
// Files of schema 1 are still read.
const SchemaVersion = 2

// Estimate is what is known of one POP's edge hosts.
type Estimate struct {
	POP   string `json:"pop"`
	Hosts int    `json:"hosts"` // the number of edge hosts to plan with
	// What the estimate rests on; zero when the file was written by hand.
	Seen     int     `json:"seen,omitempty"`     // distinct edge host ids seen
	Low      int     `json:"ci_low,omitempty"`   // confidence interval of Hosts
	High     int     `json:"ci_high,omitempty"`  //
	Level    float64 `json:"ci_level,omitempty"` // e.g. 0.95
	Requests int     `json:"requests,omitempty"` // responses the estimate is based on
	Method   string  `json:"method,omitempty"`   // the estimator (Method), or MethodConfigured
	Note     string  `json:"note,omitempty"`     // why there is no estimate, when Method is MethodConfigured

	// Schema 2. What the ids name (a suspect verdict means Hosts is not
	// an estimate), how the hosts relate to the POP's addresses and how
	// many addresses its name resolved to.
	Verdict   Verdict `json:"verdict,omitempty"`
	Layout    Layout  `json:"layout,omitempty"`
	Addresses int     `json:"addresses,omitempty"`
	// KeepAlive is the effective origin keep-alive measured at the POP,
	// in seconds (0: not measured): what `cfprewarm plan` and `warm` take
	// as the keep-alive when it is not given.
	KeepAlive float64 `json:"keepalive_s,omitempty"`
}

// HostsFrom says where the host count a POP is planned with came from:
// the prewarm engine's sizing and the planner say it in the same words.
type HostsFrom string

const (
	FromEstimate  HostsFrom = "estimate"   // the POP's own responses (EstimateHosts)
	FromHostsFile HostsFrom = "hosts-file" // a hosts file (Read)
	FromAssumed   HostsFrom = "assumed"    // the configured count for POPs nothing measured
)

// File is the hosts file.
type File struct {
	Generated time.Time `json:"generated"`
	// Source names what measured it: "warm" (warm --hosts-out) or
	// "doctor" (cfprewarm doctor --hosts-out); empty in schema 1.
	Source string     `json:"source,omitempty"`
	POPs   []Estimate `json:"pops"`
}

// Write writes f as one JSON document with the schema version.
func Write(w io.Writer, f File) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		File
	}{SchemaVersion, "edge-hosts", f})
}

// Read reads a hosts file, the JSON form Write writes or a CSV file whose
// header names at least the columns pop and hosts, and returns the host
// count of each POP. Every problem is an error naming the line or field.
func Read(r io.Reader) (map[string]Estimate, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("hosts file: %w", err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("hosts file: larger than %d MiB", maxFileSize>>20)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		return readJSON(b)
	}
	return readCSV(bytes.NewReader(b))
}

// maxFileSize bounds a hosts file (600 POPs take about 150 KB), so that
// a wrong file (/dev/zero, a log) is refused rather than read into memory.
const maxFileSize = 16 << 20

// readJSON reads the one JSON document of a hosts file; anything after it
// is refused. Every problem names its line.
func readJSON(b []byte) (map[string]Estimate, error) {
	var doc struct {
		Schema int        `json:"schema"`
		Type   string     `json:"type"`
		POPs   []Estimate `json:"pops"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("hosts file: %s", describeJSONError(b, err))
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(b[end:], " \t\r\n"); len(rest) > 0 {
		at := len(b) - len(rest)
		extra, _, _ := bytes.Cut(rest, []byte("\n"))
		return nil, fmt.Errorf("hosts file: line %d: %q after the end of the JSON document (a hosts file is one document)",
			lineAt(b, at), clip(string(bytes.TrimSpace(extra)), 40))
	}
	if doc.Type != "edge-hosts" || doc.Schema < 1 || doc.Schema > SchemaVersion {
		return nil, fmt.Errorf("hosts file: type %q schema %d: want an edge-hosts file of schema 1 to %d", doc.Type, doc.Schema, SchemaVersion)
	}
	out := make(map[string]Estimate, len(doc.POPs))
	for i, e := range doc.POPs {
		if err := add(out, e); err != nil {
			return nil, fmt.Errorf("hosts file: pops[%d]: %w", i, err)
		}
	}
	return out, nil
}

// describeJSONError says what is wrong with a JSON document, and on which line.
func describeJSONError(b []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: %v", lineAt(b, int(syn.Offset)), syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("line %d: %s: want %s, got %s", lineAt(b, int(typ.Offset)), typ.Field, jsonKind(typ.Type), article(typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Sprintf("line %d: the JSON document ends early", lineAt(b, len(b)))
	}
	return err.Error()
}

// jsonKind names what JSON value a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// article puts "a" or "an" before a JSON value's kind ("number", "array").
func article(kind string) string {
	if strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

// lineAt is the 1-based line of byte offset off of b.
func lineAt(b []byte, off int) int {
	return bytes.Count(b[:min(max(off, 0), len(b))], []byte("\n")) + 1
}

// clip shortens s to at most n bytes for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func readCSV(r io.Reader) (map[string]Estimate, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("hosts file: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	pi, ok1 := col["pop"]
	hi, ok2 := col["hosts"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("hosts file: the CSV header %q lacks pop and hosts columns", strings.Join(header, ","))
	}
	out := map[string]Estimate{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("hosts file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if pi >= len(rec) || hi >= len(rec) {
			return nil, fmt.Errorf("hosts file: line %d: want the pop and hosts columns", line)
		}
		n, err := strconv.Atoi(strings.TrimSpace(rec[hi]))
		if err != nil {
			return nil, fmt.Errorf("hosts file: line %d: hosts %q is not a whole number", line, rec[hi])
		}
		if err := add(out, Estimate{POP: strings.TrimSpace(rec[pi]), Hosts: n}); err != nil {
			return nil, fmt.Errorf("hosts file: line %d: %w", line, err)
		}
	}
}

// MaxHosts bounds a POP's host count: more is a typo.
const MaxHosts = 100_000

// MaxKeepAlive bounds a measured keep-alive: CloudFront allows 180 s, more
// through a quota increase; an hour is a typo.
const MaxKeepAlive = time.Hour

// KeepAliveOf is the effective origin keep-alive a hosts file measured:
// the shortest over its POPs that have one (a plan or a wave schedule must
// hold for every POP), and false when none has.
func KeepAliveOf(m map[string]Estimate) (time.Duration, bool) {
	var k float64
	for _, e := range m {
		if e.KeepAlive > 0 && (k == 0 || e.KeepAlive < k) {
			k = e.KeepAlive
		}
	}
	return time.Duration(k * float64(time.Second)), k > 0
}

// Warning is what a reader of a hosts file should be told about an
// entry before planning with it, or "": a host count below 2 is almost
// always an estimate from ids that named no host (a POP has many edge
// hosts), and a suspect verdict means the count is not an estimate.
func (e Estimate) Warning() string {
	switch {
	case e.Verdict.Suspect():
		return fmt.Sprintf("%s: the hosts file's edge host ids are %s (suspect): its %d hosts are not an estimate", e.POP, e.Verdict, e.Hosts)
	case e.Hosts < 2:
		return fmt.Sprintf("%s: the hosts file says %d edge host: a POP has many; one id for every answer names no host (check it with cfprewarm doctor)", e.POP, e.Hosts)
	}
	return ""
}

func add(m map[string]Estimate, e Estimate) error {
	code, err := cloudfront.NormalizePOPCode(e.POP)
	if err != nil {
		return err
	}
	e.POP = code
	switch {
	case e.Hosts < 1 || e.Hosts > MaxHosts:
		return fmt.Errorf("POP %s: hosts %d: want 1 to %d", e.POP, e.Hosts, MaxHosts)
	case e.KeepAlive < 0 || e.KeepAlive > MaxKeepAlive.Seconds():
		return fmt.Errorf("POP %s: keepalive_s %v: want 0 (not measured) to %v", e.POP, e.KeepAlive, MaxKeepAlive.Seconds())
	}
	if _, dup := m[e.POP]; dup {
		return fmt.Errorf("POP %s given twice", e.POP)
	}
	m[e.POP] = e
	return nil
}

// WriteFile writes f to path atomically (internal/atomicfile): a reader
// never sees half a file and a failed write leaves the old file in place.
func WriteFile(path string, f File) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return Write(w, f) }); err != nil {
		return fmt.Errorf("hosts file %s: %w", path, err)
	}
	return nil
}

// ReadFile reads the hosts file at path (Read).
func ReadFile(path string) (map[string]Estimate, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hosts file: %w", err)
	}
	defer fh.Close()
	return Read(fh)
}
