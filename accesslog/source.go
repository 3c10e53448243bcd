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
// a directory is walked recursively (hidden entries skipped), a pattern with
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
			add(Source{Name: "-", Size: -1, open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
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
			objs, err := s3c.list(ctx, in)
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
				files, err := localFiles(m)
				if err != nil {
					return nil, err
				}
				for _, s := range files {
					add(s)
				}
			}
		default:
			files, err := localFiles(in)
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

// localFiles is path itself, or the regular files below it.
func localFiles(path string) ([]Source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &InputError{err}
	}
	if !fi.IsDir() {
		return []Source{fileSource(path, fi.Size())}, nil
	}
	var out []Source
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fileSource(p, info.Size()))
		return nil
	})
	if err != nil {
		return nil, &InputError{err}
	}
	if len(out) == 0 {
		return nil, &InputError{fmt.Errorf("%s: no files in this directory", path)}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func fileSource(path string, size int64) Source {
	return Source{Name: path, Size: size, open: func(context.Context) (io.ReadCloser, error) { return os.Open(path) }}
}
