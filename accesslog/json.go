package accesslog

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// jsonLine reads one line of standard logging v2's JSON output: an object
// whose keys are the field names (x-edge-location, cs(Host), ...) and whose
// values are strings or numbers.
func (r *fileReader) jsonLine(b []byte, n int64, st *FileStats) {
	st.Lines++
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		st.bad(n, errLine("not a JSON object"))
		return
	}
	r.v.reset()
	for k, val := range obj {
		f, ok := lookupField(k)
		if !ok {
			continue
		}
		switch x := val.(type) {
		case string:
			r.v.f[f] = []byte(x)
		case json.Number:
			r.v.f[f] = []byte(x.String())
		case float64:
			r.v.f[f] = strconv.AppendFloat(nil, x, 'f', -1, 64)
		}
	}
	r.use(&r.v, n, st)
}
