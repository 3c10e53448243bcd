package accesslog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetColumn is what the reader does with one leaf column.
type parquetColumn struct {
	field field
	date  bool          // an INT32 DATE: days since 1970-01-01
	unit  time.Duration // an INT64 TIMESTAMP's unit; 0 when not a timestamp
}

// readParquet reads a standard logging v2 Parquet file. Parquet needs
// random access: a local file is read in place, anything else is first
// copied to a temporary file.
func (r *fileReader) readParquet(ctx context.Context, rc io.ReadCloser, buffered *bufio.Reader, st *FileStats) {
	// A damaged file must not end the run: the Parquet library may panic
	// on what it cannot decode.
	defer func() {
		if p := recover(); p != nil {
			st.Error = fmt.Sprintf("parquet: damaged file: %v", p)
		}
	}()
	var ra io.ReaderAt
	var size int64
	if f, ok := rc.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil {
			st.Error = err.Error()
			return
		}
		ra, size = f, fi.Size()
		if p := r.cfg.Progress; p != nil && size > st.Bytes {
			p.Read.Add(size - st.Bytes) // read in place, not through the counter
		}
		st.Bytes = size
	} else {
		f, n, err := spool(ctxReader{ctx, buffered})
		if err != nil {
			st.Error = "copying to a temporary file: " + err.Error()
			if ctx.Err() != nil {
				st.Error = "interrupted"
			}
			return
		}
		defer f.Close()
		ra, size = f, n
	}
	pf, err := parquet.OpenFile(ra, size)
	if err != nil {
		st.Error = "parquet: " + err.Error()
		return
	}
	schema := pf.Schema()
	cols := map[int]parquetColumn{}
	var names []string
	for _, path := range schema.Columns() {
		leaf, ok := schema.Lookup(path...)
		if !ok {
			continue
		}
		name := path[len(path)-1]
		names = append(names, name)
		f, ok := lookupField(name)
		if !ok {
			continue
		}
		c := parquetColumn{field: f}
		if lt := leaf.Node.Type().LogicalType(); lt != nil {
			switch v := lt.Value.(type) {
			case *format.DateType:
				c.date = true
			case *format.TimestampType:
				c.unit = timeUnit(v.Unit.String())
			}
		}
		cols[leaf.ColumnIndex] = c
	}
	lay := newLayout(names)
	if why := lay.missing(); why != "" {
		st.Error = "parquet schema has " + why
		return
	}
	var bufs [nFields][]byte
	rows := make([]parquet.Row, 256)
	var n int64
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		for {
			k, err := rr.ReadRows(rows)
			for _, row := range rows[:k] {
				n++
				st.Lines++
				r.v.reset()
				for _, val := range row {
					c, ok := cols[val.Column()]
					if !ok || val.IsNull() {
						continue
					}
					f, b := parquetValue(c, val, bufs[c.field][:0])
					bufs[c.field] = b
					r.v.f[f] = b
				}
				r.use(&r.v, n, st)
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					st.Error = fmt.Sprintf("parquet: after row %d: %v", n, err)
				}
				break
			}
			if ctx.Err() != nil {
				st.Error = "interrupted"
				break
			}
		}
		rr.Close()
		if st.Error != "" {
			return
		}
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress.Lines.Add(n)
	}
}

func timeUnit(s string) time.Duration {
	switch {
	case strings.Contains(s, "MILLI"):
		return time.Millisecond
	case strings.Contains(s, "MICRO"):
		return time.Microsecond
	case strings.Contains(s, "NANO"):
		return time.Nanosecond
	}
	return time.Millisecond
}

// parquetValue renders one value as the text the line parser reads, and
// says which field it fills: a DATE becomes YYYY-MM-DD, a TIMESTAMP Unix
// milliseconds (timestamp(ms)).
func parquetValue(c parquetColumn, v parquet.Value, buf []byte) (field, []byte) {
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return c.field, append(buf, v.ByteArray()...)
	case parquet.Int32:
		if c.date {
			return c.field, time.Unix(int64(v.Int32())*86400, 0).UTC().AppendFormat(buf, time.DateOnly)
		}
		return c.field, strconv.AppendInt(buf, int64(v.Int32()), 10)
	case parquet.Int64:
		if c.unit != 0 {
			ms := time.Duration(v.Int64()) * c.unit / time.Millisecond
			return fTimestampMs, strconv.AppendInt(buf, int64(ms), 10)
		}
		return c.field, strconv.AppendInt(buf, v.Int64(), 10)
	case parquet.Float:
		return c.field, strconv.AppendFloat(buf, float64(v.Float()), 'f', -1, 32)
	case parquet.Double:
		return c.field, strconv.AppendFloat(buf, v.Double(), 'f', -1, 64)
	}
	return c.field, buf
}
