// Package format writes a doctor report (doctor.Report) for people and
// machines: a short text report a person can act on, and one JSON
// document with a schema version, the shape of warm/format: a Name per
// format, one parser for --format (ParseName) and a reporter per format
// (New). It only formats; it never measures.
package format

import (
	"encoding/json"
	"io"

	"github.com/cfprewarm/cfprewarm/doctor"
	"github.com/cfprewarm/cfprewarm/internal/config"
)

// Name is an output format accepted by --format.
type Name string

const (
	Text Name = "text" // the report for people
	JSON Name = "json" // one JSON document
)

// Names lists the formats, for help texts and validation.
var Names = []Name{Text, JSON}

// ParseName checks a --format value.
func ParseName(s string) (Name, error) { return config.ParseChoice("format", s, Names) }

// Reporter writes one report.
type Reporter func(w io.Writer, r *doctor.Report) error

// New returns the reporter of format n.
func New(n Name) (Reporter, error) {
	switch n {
	case Text:
		return WriteText, nil
	case JSON:
		return WriteJSON, nil
	}
	_, err := ParseName(string(n))
	return nil, err
}

// WriteJSON writes the report as one JSON document on one line.
func WriteJSON(w io.Writer, r *doctor.Report) error {
	return json.NewEncoder(w).Encode(r)
}
