// Package atomicfile writes files so that a reader finds the old file or
// the whole new one, never a part: the data goes to a temporary file in
// the target's directory, which is synced, given its mode, closed and
// renamed over the target. On any failure the temporary file is removed
// and the target is left as it was. The hosts file (edgehosts.WriteFile),
// the lab's report files and `plan --counts-out` are written this way.
package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// Mode is the mode of a file Write makes: readable by all, like any
// output file (os.CreateTemp alone would leave 0600).
const Mode os.FileMode = 0o644

// Write writes the file at path with what write writes, mode Mode.
func Write(path string, write func(io.Writer) error) error {
	p, err := Stage(path, Mode, write)
	if err != nil {
		return err
	}
	return p.Commit()
}

// Pending is a file written under a temporary name beside its target,
// waiting for Commit (or Discard). Several can be staged first and
// committed together, so that a failure while writing any of them changes
// nothing.
type Pending struct {
	tmp, path string
}

// Stage writes a temporary file in path's directory with what write
// writes, syncs it, gives it mode and closes it. On failure nothing is
// left behind.
func Stage(path string, mode os.FileMode, write func(io.Writer) error) (*Pending, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	err = write(f)
	if err == nil {
		err = errors.Join(f.Chmod(mode), f.Sync())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	return &Pending{tmp: f.Name(), path: path}, nil
}

// Path is the file's final path.
func (p *Pending) Path() string { return p.path }

// Commit renames the file into place. On failure the temporary file is
// removed and the target left as it was.
func (p *Pending) Commit() error {
	if err := os.Rename(p.tmp, p.path); err != nil {
		os.Remove(p.tmp)
		return err
	}
	return nil
}

// Discard removes the temporary file.
func (p *Pending) Discard() { os.Remove(p.tmp) }
