package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkNewFile refuses, before anything starts, a path for a file the
// command will create: it must not exist (the command never overwrites
// what it did not make) and its directory must.
func checkNewFile(flag, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return usagef("%s %s: the file exists; give a new file name (it is removed again when the lab stops)", flag, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return usagef("%s %s: %v", flag, path, err)
	}
	return checkParentDir(flag, path)
}

// checkParentDir refuses a file path whose directory does not exist.
func checkParentDir(flag, path string) error {
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return usagef("%s %s: no directory %s", flag, path, filepath.Dir(path))
	}
	return nil
}

// checkOutFile checks, before a long run, that path can be written the way
// an atomic write does it (a new file beside it, renamed over it): it may
// exist as a regular file, which is replaced; its directory must exist and
// take new files. It leaves nothing behind.
func checkOutFile(flag, path string) error {
	if err := checkParentDir(flag, path); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return usagef("%s %s: exists and is not a regular file", flag, path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return usagef("%s %s: %v", flag, path, err)
	}
	return checkCreate(flag, path, filepath.Dir(path))
}

// writeNewFile creates path, which must not exist, and writes data to it.
// created says whether the file was made (and so is the caller's to
// remove), even when writing failed.
func writeNewFile(path string, data []byte) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, usagef("%s: the file exists now; not overwritten", path)
		}
		return false, err
	}
	_, werr := f.Write(data)
	return true, errors.Join(werr, f.Close())
}

// checkOutDir checks, before a long run, that dir can receive its output
// files: a directory that exists and takes new files, or a path whose
// nearest existing parent is such a directory (the directories are
// created only when there is something to write). It leaves nothing behind.
func checkOutDir(flag, dir string) error {
	probe := dir
	for {
		st, err := os.Stat(probe)
		if err == nil {
			if !st.IsDir() {
				if probe == dir {
					return usagef("%s %s: exists and is not a directory", flag, dir)
				}
				return usagef("%s %s: %s is not a directory", flag, dir, probe)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return usagef("%s %s: %v", flag, dir, err)
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return usagef("%s %s: no existing parent directory", flag, dir)
		}
		probe = parent
	}
	return checkCreate(flag, dir, probe)
}

// checkCreate checks that a file can be created in dir, the directory of
// what flag names, and removes it again.
func checkCreate(flag, value, dir string) error {
	f, err := os.CreateTemp(dir, ".cfprewarm-check-*")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %v", flag, value, dir, errors.Unwrap(err))
	}
	name := f.Name()
	if err := errors.Join(f.Close(), os.Remove(name)); err != nil {
		return fmt.Errorf("%s %s: %w", flag, value, err)
	}
	return nil
}

// checkEmptyDir refuses, before a run, an output directory that exists
// and holds anything: the run's files would mix with earlier ones. A
// directory that does not exist yet is fine (the run creates it).
func checkEmptyDir(flag, dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return usagef("%s %s: %v", flag, dir, err)
	case !st.IsDir():
		return usagef("%s %s: exists and is not a directory", flag, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return usagef("%s %s: %v", flag, dir, err)
	}
	if len(entries) > 0 {
		return usagef("%s %s: not empty (%d entries); give a new or empty directory, so that its logs are this run's alone", flag, dir, len(entries))
	}
	return nil
}
