package accesslog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Source is one log file or stream to read.
type Source struct {
	Name string // a path, s3://bucket/key or "-"
	Size int64  // bytes, -1 when unknown (standard input)
	open func(ctx context.Context) (io.ReadCloser, error)
}

// InputError is a problem with the inputs as given (a path that does not
// exist, a glob that matches nothing): the caller's mistake, not the logs'.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrNoInput is wrapped by an InputError when no input was given.
var ErrNoInput = errors.New("no logs given: name files, directories, globs, - (standard input) or s3://bucket/prefix")

// Sources expands the inputs into the files to read, in a stable order:
// a directory is walked recursively (hidden entries skipped, symbolic
// links followed, every file once however many ways lead to it), a pattern with
// * ? or [ is globbed, "-" is standard input (once), s3://bucket/prefix
// lists every object under the prefix. A local input that matches nothing
// is an *InputError; an S3 listing that fails is a plain error.
func Sources(ctx context.Context, cfg Config) ([]Source, error) {
	if len(cfg.Inputs) == 0 {
		return nil, &InputError{ErrNoInput}
	}
	var out []Source
	seen := map[string]bool{}
	add := func(s Source) {
		if !seen[s.Name] {
			seen[s.Name] = true
			out = append(out, s)
		}
	}
	var s3c *s3Lister
	w := newWalker()
	for _, in := range cfg.Inputs {
		switch {
		case in == "-":
			if seen["-"] {
				return nil, &InputError{errors.New("- (standard input) given twice")}
			}
			stdin := cfg.Stdin
			if stdin == nil {
				stdin = os.Stdin
			}
			add(Source{Name: "-", Size: -1, open: func(ctx context.Context) (io.ReadCloser, error) { return untilDone(ctx, stdin), nil }})
		case strings.HasPrefix(in, "s3://"):
			if _, _, err := splitS3(in); err != nil {
				return nil, err
			}
			if s3c == nil {
				var err error
				if s3c, err = newS3Lister(ctx, cfg.S3); err != nil {
					return nil, err
				}
			}
			var listed *atomic.Int64
			if cfg.Progress != nil {
				listed = &cfg.Progress.Listed
			}
			objs, err := s3c.list(ctx, in, listed)
			if err != nil {
				return nil, err
			}
			for _, s := range objs {
				add(s)
			}
		case strings.ContainsAny(in, "*?["):
			matches, err := filepath.Glob(in)
			if err != nil {
				return nil, &InputError{fmt.Errorf("pattern %q: %w", in, err)}
			}
			if len(matches) == 0 {
				return nil, &InputError{fmt.Errorf("pattern %q matches no file", in)}
			}
			for _, m := range matches {
				files, err := localFiles(m, w)
				if err != nil {
					return nil, err
				}
				for _, s := range files {
					add(s)
				}
			}
		default:
			files, err := localFiles(in, w)
			if err != nil {
				return nil, err
			}
			for _, s := range files {
				add(s)
			}
		}
	}
	return out, nil
}

// localFiles is path itself, or the files below it (see walker).
func localFiles(path string, w *walker) ([]Source, error) {
	fi, err := os.Stat(path) // a link is followed
	if err != nil {
		return nil, &InputError{err}
	}
	if !fi.IsDir() {
		if !w.firstVisit(fi) {
			return nil, nil
		}
		return []Source{fileSource(path, fi)}, nil
	}
	var out []Source
	w.firstVisit(fi)
	if err := w.dir(path, &out); err != nil {
		return nil, &InputError{err}
	}
	if len(out) == 0 {
		if w.broken > 0 {
			return nil, &InputError{fmt.Errorf("%s: no files in this directory (%d broken symbolic links)", path, w.broken)}
		}
		return nil, &InputError{fmt.Errorf("%s: no files in this directory", path)}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// walker lists the files below directories: recursively, hidden entries
// skipped, symbolic links followed to files and directories alike. A
// directory or file reached a second time (a link loop, two links to one
// directory, a link beside its target) is left out, so every file is read
// once.
type walker struct {
	seen   map[fileID]bool
	broken int // dangling links met
}

func newWalker() *walker { return &walker{seen: map[fileID]bool{}} }

// firstVisit records fi and reports whether it had not been met before.
// Where the system gives no file identity every file counts as new.
func (w *walker) firstVisit(fi os.FileInfo) bool {
	id, ok := idOf(fi)
	if !ok {
		return true
	}
	if w.seen[id] {
		return false
	}
	w.seen[id] = true
	return true
}

// dir appends the files below dir to out.
func (w *walker) dir(dir string, out *[]Source) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			if e.Type()&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) {
				w.broken++
				continue
			}
			return err
		}
		switch {
		case fi.IsDir():
			if w.firstVisit(fi) {
				if err := w.dir(p, out); err != nil {
					return err
				}
			}
		case fi.Mode().IsRegular():
			if w.firstVisit(fi) {
				*out = append(*out, fileSource(p, fi))
			}
		}
	}
	return nil
}

// fileSource is a local file. A regular file opens at once; anything else
// (a FIFO waiting for its writer, a device) is opened and read so that
// ctx can stop it: open waits on ctx too, and reads end when ctx does
// where the file supports deadlines (FIFOs, pipes).
func fileSource(path string, fi os.FileInfo) Source {
	size := fi.Size()
	if !fi.Mode().IsRegular() {
		size = -1
	}
	return Source{Name: path, Size: size, open: func(ctx context.Context) (io.ReadCloser, error) {
		if fi.Mode().IsRegular() {
			return os.Open(path)
		}
		return openUntil(ctx, path)
	}}
}

// openUntil opens path, giving up when ctx ends first (the open goes on
// in the background and its file is closed), and returns a file whose
// reads end when ctx does.
func openUntil(ctx context.Context, path string) (io.ReadCloser, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, o.err
		}
		stop := context.AfterFunc(ctx, func() { o.f.SetReadDeadline(time.Now()) })
		return &stoppingFile{File: o.f, stop: stop}, nil
	case <-ctx.Done():
		go func() {
			if o := <-done; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// untilDone returns a reader of r whose reads end when ctx does, even one
// that r blocks (standard input from a terminal or a silent pipe): r is
// read on a goroutine of its own, which a stop leaves waiting in its read
// (the process is about to end).
func untilDone(ctx context.Context, r io.Reader) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, r)
		pw.CloseWithError(err)
	}()
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	return &stoppingPipe{PipeReader: pr, stop: stop}
}

// stoppingPipe is untilDone's reader; Close forgets ctx.
type stoppingPipe struct {
	*io.PipeReader
	stop func() bool
}

func (p *stoppingPipe) Close() error {
	p.stop()
	return p.PipeReader.Close()
}

// stoppingFile is a file whose reads ctx can end; Close forgets ctx.
type stoppingFile struct {
	*os.File
	stop func() bool
}

func (f *stoppingFile) Close() error {
	f.stop()
	return f.File.Close()
}
