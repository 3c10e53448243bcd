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
// Athena query names them: the POP, the Unix second its requests arrived
// in, how many requests, how many of them have a time-to-first-byte and
// its sum in seconds, the seconds since the previous request of their
// viewer connection (empty when they opened it), whether they are prewarm
// requests (1) or viewers' (0), and how many held an origin connection for
// a known time and its sum. Each row is the requests of a POP's second
// that share a gap and a kind. Only pop, second and requests are required:
// without ttfb_n and ttfb_sum there is no penalty from the logs, without
// gap every request opened a viewer connection of its own, without
// prewarm every request is a viewer's, without busy_n and busy_sum the
// time-to-first-byte is the busy time.
var CountsColumns = []string{"pop", "second", "requests", "ttfb_n", "ttfb_sum", "gap", "prewarm", "busy_n", "busy_sum"}

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
	_, hasGap := col["gap"]
	_, hasAgent := col["prewarm"]
	_, hasBusy := col["busy_sum"]
	// sum reads a count column and a sum of seconds column: the count (all
	// the row's requests when the count column is missing) and the sum,
	// which must be from 0 to count × MaxTTFB.
	sum := func(rec []string, n uint64, countCol, sumCol string) (uint64, float64, string) {
		v, ok := get(rec, sumCol)
		if !ok || v == "" {
			return 0, 0, ""
		}
		count := n
		if cv, ok := get(rec, countCol); ok && cv != "" {
			var err error
			if count, err = strconv.ParseUint(cv, 10, 64); err != nil || count > n {
				return 0, 0, fmt.Sprintf("%s %q: want a whole number up to requests", countCol, cv)
			}
		}
		total, err := strconv.ParseFloat(v, 64)
		if err != nil || !(total >= 0 && total <= float64(count)*accesslog.MaxTTFB) {
			return 0, 0, fmt.Sprintf("%s %q: want seconds from 0 to %s × %d", sumCol, v, countCol, accesslog.MaxTTFB)
		}
		return count, total, ""
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
		n, err := strconv.ParseUint(nv, 10, 64)
		if err != nil || n == 0 {
			bad(line, fmt.Sprintf("requests %q is not a positive whole number", nv))
			continue
		}
		r := row{requests: n, gap: -1, hasGap: hasGap, hasAgent: hasAgent}
		var why string
		if r.ttfbN, r.ttfbSum, why = sum(rec, n, "ttfb_n", "ttfb_sum"); why != "" {
			bad(line, why)
			continue
		}
		r.busyN, r.busySum = r.ttfbN, r.ttfbSum
		if hasBusy {
			if r.busyN, r.busySum, why = sum(rec, n, "busy_n", "busy_sum"); why != "" {
				bad(line, why)
				continue
			}
		}
		if v, _ := get(rec, "gap"); v != "" && !strings.EqualFold(v, "null") {
			g, err := strconv.ParseInt(v, 10, 64)
			if err != nil || g < 0 {
				bad(line, fmt.Sprintf("gap %q: want whole seconds since the connection's previous request, or empty", v))
				continue
			}
			r.gap = g
		}
		if v, _ := get(rec, "prewarm"); v != "" {
			switch strings.ToLower(v) {
			case "1", "true":
				r.prewarm = true
			case "0", "false":
			default:
				bad(line, fmt.Sprintf("prewarm %q: want 1 or 0", v))
				continue
			}
		}
		if unix := int64(math.Floor(sec)); unix < lo || unix >= hi {
			st.Filtered++
		} else {
			c.addRow(pop, unix, r)
			c.extremes.note(unix, "counts file", int64(line))
		}
	}
	if c.overflow > 0 {
		return c, st, &TooManyPOPsError{Requests: c.overflow}
	}
	return c, st, nil
}

// WriteCounts writes c as a counts file, the form ReadCounts reads and the
// Athena query of docs/plan.md produces: per POP and second, a row for the
// viewer requests that opened their connection, one per gap of those that
// continued one, and the same for prewarm requests. A second's
// time-to-first-byte and busy time are on its first rows, as many of them
// as each row has requests.
func WriteCounts(w io.Writer, c *Counts) error {
	cw := csv.NewWriter(w)
	cw.Write(CountsColumns)
	for _, pop := range c.POPs() {
		for _, s := range c.pops[pop].seconds() {
			ttfb := share{n: s.ttfbN, us: s.ttfbUS}
			busy := share{n: s.busyN, us: s.busyUS}
			put := func(n uint64, gap int64, prewarm bool) {
				if n == 0 {
					return
				}
				g, p := "", "0"
				if gap >= 0 {
					g = strconv.FormatInt(gap, 10)
				}
				var tn, tus uint64
				if !prewarm {
					tn, tus = ttfb.take(n)
				}
				bn, bus := busy.take(n)
				if prewarm {
					p = "1"
				}
				cw.Write([]string{pop, strconv.FormatInt(s.unix, 10), strconv.FormatUint(n, 10),
					strconv.FormatUint(tn, 10), seconds6(tus), g, p, strconv.FormatUint(bn, 10), seconds6(bus)})
			}
			put(s.newViewers, -1, false)
			for _, l := range s.links {
				if !l.prewarm {
					put(l.n, int64(l.gap), false)
				}
			}
			put(s.newPrewarmReqs, -1, true)
			for _, l := range s.links {
				if l.prewarm {
					put(l.n, int64(l.gap), true)
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// share hands a second's sum out to its rows: up to n requests to each,
// with their part of the microseconds (the last takes the rest).
type share struct{ n, us uint64 }

func (s *share) take(n uint64) (uint64, uint64) {
	k := min(n, s.n)
	if k == 0 {
		return 0, 0
	}
	us := s.us
	if k < s.n {
		us = uint64(math.Round(float64(s.us) * float64(k) / float64(s.n)))
	}
	s.n -= k
	s.us -= us
	return k, us
}

func seconds6(us uint64) string { return strconv.FormatFloat(float64(us)/1e6, 'f', 6, 64) }
