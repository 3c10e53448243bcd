package plan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/accesslog"
	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// CountsColumns are the columns of a counts file, as docs/plan.md's
// Athena query names them: the POP, the Unix second, the requests of that
// second, how many of them have a time-to-first-byte and its sum in
// seconds. ttfb_n and ttfb_sum may be left out (no penalty from the logs
// then).
var CountsColumns = []string{"pop", "second", "requests", "ttfb_n", "ttfb_sum"}

// countsAliases are other names a column may have (x_edge_location as in
// AWS's table, a query's own names).
var countsAliases = map[string]string{
	"x_edge_location": "pop", "location": "pop", "x-edge-location": "pop",
	"unix": "second", "epoch": "second", "ts": "second",
	"count": "requests", "n": "requests",
}

// CountsStats is what a counts file gave.
type CountsStats struct {
	Rows     int64    `json:"rows"`
	Filtered int64    `json:"filtered"` // rows outside the period asked for
	Bad      int64    `json:"bad"`
	Examples []string `json:"examples,omitempty"`
}

// ReadCounts reads a CSV counts file (Athena's output of the query in
// docs/plan.md, quoted or not), keeping the rows of the seconds from ≤ second
// < to (a zero time leaves that end open; a second that began before from
// is out), as the log reader's filter does. A row that cannot be read is
// counted, with a few examples; a header without pop, second and requests
// is an error.
func ReadCounts(r io.Reader, from, to time.Time) (*Counts, CountsStats, error) {
	var st CountsStats
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = from.Unix()
		if from.Nanosecond() > 0 {
			lo++
		}
	}
	if !to.IsZero() {
		hi = to.Unix()
		if to.Nanosecond() > 0 {
			hi++
		}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, st, fmt.Errorf("counts file: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		name := strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))
		name = strings.TrimPrefix(name, "\ufeff")
		if a, ok := countsAliases[name]; ok {
			name = a
		}
		if _, dup := col[name]; !dup {
			col[name] = i
		}
	}
	for _, need := range CountsColumns[:3] {
		if _, ok := col[need]; !ok {
			return nil, st, fmt.Errorf("counts file: the header %q has no %s column (want %s)", strings.Join(head, ","), need, strings.Join(CountsColumns, ","))
		}
	}
	c := NewCounts()
	c.fromLogs = false
	bad := func(line int, why string) {
		st.Bad++
		if len(st.Examples) < 3 {
			st.Examples = append(st.Examples, fmt.Sprintf("line %d: %s", line, why))
		}
	}
	get := func(rec []string, name string) (string, bool) {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return "", false
		}
		return strings.TrimSpace(rec[i]), true
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				st.Rows++
				bad(pe.Line, pe.Err.Error())
				continue
			}
			return c, st, fmt.Errorf("counts file: %w", err)
		}
		st.Rows++
		line, _ := cr.FieldPos(0)
		pop, _ := get(rec, "pop")
		pop, err = cloudfront.NormalizePOPCode(pop)
		if err != nil {
			bad(line, err.Error())
			continue
		}
		sv, _ := get(rec, "second")
		sec, err := strconv.ParseFloat(sv, 64)
		if err != nil || sec < 0 || sec > 1e11 || math.IsNaN(sec) {
			bad(line, fmt.Sprintf("second %q is not Unix seconds", sv))
			continue
		}
		nv, _ := get(rec, "requests")
		n, err := strconv.ParseUint(nv, 10, 32)
		if err != nil || n == 0 {
			bad(line, fmt.Sprintf("requests %q is not a positive whole number", nv))
			continue
		}
		ttfbN, ttfbSum := uint64(0), 0.0
		if v, ok := get(rec, "ttfb_sum"); ok && v != "" {
			ttfbN = n
			if v, ok := get(rec, "ttfb_n"); ok && v != "" {
				if ttfbN, err = strconv.ParseUint(v, 10, 32); err != nil || ttfbN > n {
					bad(line, fmt.Sprintf("ttfb_n %q: want a whole number up to requests", v))
					continue
				}
			}
			ttfbSum, err = strconv.ParseFloat(v, 64)
			if err != nil || !(ttfbSum >= 0 && ttfbSum <= float64(ttfbN)*accesslog.MaxTTFB) {
				bad(line, fmt.Sprintf("ttfb_sum %q: want seconds from 0 to ttfb_n × %d", v, accesslog.MaxTTFB))
				continue
			}
		}
		if unix := int64(math.Floor(sec)); unix < lo || unix >= hi {
			st.Filtered++
		} else {
			c.AddSecond(pop, unix, uint32(n), uint32(ttfbN), ttfbSum)
		}
	}
	return c, st, nil
}

// WriteCounts writes c as a counts file, the form ReadCounts reads and the
// Athena query of docs/plan.md produces.
func WriteCounts(w io.Writer, c *Counts) error {
	cw := csv.NewWriter(w)
	cw.Write(CountsColumns)
	for _, pop := range c.POPs() {
		for _, s := range c.pops[pop].seconds() {
			cw.Write([]string{pop, strconv.FormatInt(s.unix, 10), strconv.FormatUint(uint64(s.n), 10),
				strconv.FormatUint(uint64(s.ttfbN), 10), strconv.FormatFloat(float64(s.ttfbUS)/1e6, 'f', 6, 64)})
		}
	}
	cw.Flush()
	return cw.Error()
}
