package format

import (
	"fmt"
	"io"

	"github.com/cfprewarm/cfprewarm/internal/jsonobj"
	"github.com/cfprewarm/cfprewarm/warm"
)

// Document is the JSON form of a run: the schema version, the type "warm",
// then the result's fields. (The Lambda returns the smaller Summary.)
func Document(r *warm.Result) ([]byte, error) {
	return jsonobj.Merge(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
	}{warm.SchemaVersion, "warm"}, r)
}

// WriteJSON writes the result as one line of JSON. Without requests, the
// per-request records are left out.
func WriteJSON(w io.Writer, r *warm.Result, requests bool) error {
	if !requests {
		r = r.WithoutRequests()
	}
	b, err := Document(r)
	if err != nil {
		return fmt.Errorf("warm: encoding the result: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
