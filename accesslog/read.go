package accesslog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
)

// Config says what to read and which records to keep.
type Config struct {
	// Inputs are files, directories, glob patterns, "-" and
	// s3://bucket/prefix URLs (see Sources).
	Inputs []string
	// Fields names the columns of headerless tab-separated logs (real-time
	// logs, v2 "plain" output), in order. Files with a #Fields line or in
	// JSON or Parquet ignore it.
	Fields []string
	Filter Filter
	// Workers is the number of files read at once; 0 means GOMAXPROCS.
	Workers int
	// Stdin is what "-" reads; nil means os.Stdin.
	Stdin io.Reader
	S3    S3Config
	// Progress, when set, is updated as bytes are read.
	Progress *Progress
}

// Progress counts what has been read so far; safe to read while Read runs.
type Progress struct {
	Total  atomic.Int64 // bytes of every source (known sizes only)
	Read   atomic.Int64 // bytes read from the sources (compressed)
	Lines  atomic.Int64 // data lines parsed
	Listed atomic.Int64 // S3 objects listed so far (the listing comes before the reading)
}

// maxExamples is how many bad lines a file's report quotes.
const maxExamples = 3

// FileStats is what one source gave.
type FileStats struct {
	Name     string   `json:"name"`
	Format   string   `json:"format"`             // w3c, tsv, json, parquet; "+gzip" when compressed
	Bytes    int64    `json:"bytes"`              // bytes read from the source
	Lines    int64    `json:"lines"`              // data lines (or rows), headers not counted
	Records  int64    `json:"records"`            // usable lines that passed the filter
	Filtered int64    `json:"filtered"`           // usable lines the filter left out
	Bad      int64    `json:"bad"`                // lines that could not be used
	Examples []string `json:"examples,omitempty"` // a few bad lines, "line N: why"
	// Error says why the source was not read to its end (a truncated gzip,
	// a read error, "interrupted"); the lines before it were used. Header
	// problems (no usable #Fields) are bad lines with an example instead.
	Error string `json:"error,omitempty"`

	headerQuoted bool // an example quotes a header problem
}

func (s *FileStats) bad(line int64, why error) {
	s.Bad++
	if len(s.Examples) < maxExamples {
		s.Examples = append(s.Examples, fmt.Sprintf("line %d: %v", line, why))
	}
}

// headerProblem quotes a header problem, the reason for the bad lines
// under it: the first of a file is quoted even when other bad lines have
// taken every example already.
func (s *FileStats) headerProblem(line int64, why string) {
	if len(s.Examples) < maxExamples || !s.headerQuoted {
		s.Examples = append(s.Examples, fmt.Sprintf("line %d: %s", line, why))
	}
	s.headerQuoted = true
}

// Summary is what a Read found, over all sources.
type Summary struct {
	Files    []FileStats `json:"files"`
	Lines    int64       `json:"lines"`
	Records  int64       `json:"records"`
	Filtered int64       `json:"filtered"`
	Bad      int64       `json:"bad"`
}

// Problems returns the sources that had bad lines or were cut short.
func (s Summary) Problems() []FileStats {
	var out []FileStats
	for _, f := range s.Files {
		if f.Bad > 0 || f.Error != "" {
			out = append(out, f)
		}
	}
	return out
}

// Read reads every source of cfg and calls fn with each record that
// passes the filter. fn is called from cfg.Workers goroutines at once,
// worker being the caller's index in [0, Workers): keep one accumulator per
// worker and merge them after Read returns. Read returns an error only when
// the inputs cannot be listed (an *InputError for a local one) or ctx ends;
// problems inside the logs are in the Summary.
func Read(ctx context.Context, cfg Config, fn func(worker int, r *Record)) (Summary, error) {
	srcs, err := Sources(ctx, cfg)
	if err != nil {
		return Summary{}, err
	}
	return ReadSources(ctx, cfg, srcs, fn)
}

// Workers is the number of workers Read uses for cfg.
func (c Config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Workers returns the number of workers Read will run for cfg.
func Workers(cfg Config) int { return cfg.workers() }

// ReadSources is Read over sources already listed.
func ReadSources(ctx context.Context, cfg Config, srcs []Source, fn func(worker int, r *Record)) (Summary, error) {
	workers := min(cfg.workers(), max(len(srcs), 1))
	if cfg.Progress != nil {
		for _, s := range srcs {
			if s.Size > 0 {
				cfg.Progress.Total.Add(s.Size)
			}
		}
	}
	stats := make([]FileStats, len(srcs))
	next := make(chan int)
	var wg sync.WaitGroup
	m := newMatcher(cfg.Filter)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &fileReader{cfg: cfg, match: m, p: newParser(), emit: func(rec *Record) { fn(w, rec) }}
			for i := range next {
				stats[i] = r.read(ctx, srcs[i])
			}
		}()
	}
	for i := range srcs {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	sum := Summary{Files: stats}
	for _, f := range stats {
		sum.Lines += f.Lines
		sum.Records += f.Records
		sum.Filtered += f.Filtered
		sum.Bad += f.Bad
	}
	return sum, ctx.Err()
}

// fileReader reads one source at a time for one worker.
type fileReader struct {
	cfg   Config
	match matcher
	p     *parser
	emit  func(*Record)
	v     values
	rec   Record
}

// readBuffer is the size of a line buffer: a longer line is a bad line.
const readBuffer = 64 << 10

var gzipMagic = []byte{0x1f, 0x8b}

// read reads one source to its end (or its first damage).
func (r *fileReader) read(ctx context.Context, src Source) (st FileStats) {
	st.Name = src.Name
	rc, err := src.open(ctx)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	defer rc.Close()
	counted := &countingReader{r: rc, progress: r.cfg.Progress, n: &st.Bytes}
	br := bufio.NewReaderSize(counted, readBuffer)
	var in io.Reader = br
	compressed := false
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			st.Format = "gzip"
			st.Error = "gzip: " + err.Error()
			return st
		}
		defer zr.Close()
		in = zr
		compressed = true
	}
	lines := bufio.NewReaderSize(in, readBuffer)
	head, _ := lines.Peek(4)
	switch {
	case string(head) == "PAR1" && !compressed:
		st.Format = "parquet"
		r.readParquet(ctx, rc, lines, &st)
	case len(head) > 0 && head[0] == '{':
		st.Format = "json"
		r.readLines(ctx, lines, &st, r.jsonLine)
	default:
		st.Format = "w3c"
		if len(head) > 0 && head[0] != '#' {
			st.Format = "tsv"
		}
		r.readW3C(ctx, lines, &st)
	}
	if compressed {
		st.Format += "+gzip"
	}
	return st
}

// readLines calls line for every line of br; it stops at the first read
// error, which it records, and when ctx ends ("interrupted"): ctx is
// checked every ctxEvery lines and every buffer of a line too long to use,
// so neither many lines nor one endless line (/dev/zero) hold it up.
func (r *fileReader) readLines(ctx context.Context, br *bufio.Reader, st *FileStats, line func(b []byte, n int64, st *FileStats)) {
	var n int64
	interrupted := func() bool {
		if ctx.Err() == nil {
			return false
		}
		st.Error = "interrupted"
		return true
	}
	for {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			n++
			st.Lines++
			st.bad(n, errLine(fmt.Sprintf("longer than %d KiB", readBuffer>>10)))
			for errors.Is(err, bufio.ErrBufferFull) {
				if interrupted() {
					return
				}
				_, err = br.ReadSlice('\n')
			}
			if err == nil {
				continue
			}
			b = nil // the long line ended the data: its tail is no line of its own
		}
		if len(b) > 0 && err == nil || errors.Is(err, io.EOF) && len(b) > 0 {
			n++
			b = bytes.TrimRight(b, "\r\n")
			if len(b) > 0 {
				line(b, n, st)
			}
		}
		if err != nil {
			if interrupted() {
				return
			}
			if !errors.Is(err, io.EOF) {
				st.Error = describeReadError(err, n)
			}
			return
		}
		if n%ctxEvery == 0 {
			if r.cfg.Progress != nil {
				r.cfg.Progress.Lines.Add(ctxEvery)
			}
			if interrupted() {
				return
			}
		}
	}
}

// ctxEvery is how many lines pass between two checks of the context: at
// most 64 MiB of 64 KiB lines, a few milliseconds.
const ctxEvery = 1024

func describeReadError(err error, lines int64) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("truncated after line %d (unexpected end of data)", lines)
	}
	return fmt.Sprintf("read error after line %d: %v", lines, err)
}

// readW3C reads a W3C log (#Fields header) or, with Config.Fields, a
// headerless tab-separated one. A #Fields line a record cannot be built
// from, or records before any #Fields line, are one bad-line example that
// says why; the lines under it are bad lines without examples of their
// own, until a usable #Fields line. The file is still read to its end.
func (r *fileReader) readW3C(ctx context.Context, br *bufio.Reader, st *FileStats) {
	var lay *layout
	if len(r.cfg.Fields) > 0 {
		l := newLayout(r.cfg.Fields)
		lay = &l
	}
	headerless := lay == nil // no #Fields line yet, nor Config.Fields
	r.readLines(ctx, br, st, func(b []byte, n int64, st *FileStats) {
		if b[0] == '#' {
			if rest, ok := bytes.CutPrefix(b, []byte("#Fields:")); ok {
				headerless = false
				l := newLayout(bytes2fields(rest))
				if why := l.missing(); why != "" {
					lay = nil
					st.headerProblem(n, fmt.Sprintf("#Fields has %s: the lines under it cannot be read", why))
					return
				}
				lay = &l
			}
			return
		}
		st.Lines++
		if lay == nil {
			if headerless {
				headerless = false
				st.headerProblem(n, "no #Fields line before the first record (for headerless logs give --fields)")
			}
			st.Bad++
			return
		}
		if cols := lay.splitTabs(b, &r.v); cols != lay.n {
			st.bad(n, errLine(fmt.Sprintf("%d fields, want %d", cols, lay.n)))
			return
		}
		r.use(&r.v, n, st)
	})
}

func bytes2fields(b []byte) []string {
	var out []string
	for _, f := range bytes.Fields(b) {
		out = append(out, string(f))
	}
	return out
}

// use builds the record of one line and hands it on if the filter keeps it.
func (r *fileReader) use(v *values, n int64, st *FileStats) {
	if err := r.p.build(v, &r.rec); err != nil {
		st.bad(n, err)
		return
	}
	r.rec.Source, r.rec.Line = st.Name, n
	if !r.match.keep(r.rec.Unix, v) {
		st.Filtered++
		return
	}
	st.Records++
	r.emit(&r.rec)
}

// countingReader counts the bytes read from a source.
type countingReader struct {
	r        io.Reader
	progress *Progress
	n        *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress.Read.Add(int64(n))
	}
	return n, err
}

// ctxReader ends a copy once ctx is done: it checks ctx before every read.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// spool copies r into a temporary file for formats that need random
// access (Parquet from S3 or standard input). The caller removes it.
func spool(r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "cfprewarm-log-*.parquet")
	if err != nil {
		return nil, 0, err
	}
	os.Remove(f.Name()) // unlinked: gone when closed
	n, err := io.Copy(f, r)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, n, nil
}
