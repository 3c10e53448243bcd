package doctor

import "encoding/json"

// MarshalJSON writes the report with its schema and type first.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		plain
	}{SchemaVersion, "doctor", plain(r)})
}
