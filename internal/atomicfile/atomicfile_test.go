package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// leftovers returns the names in dir other than want.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		keep := false
		for _, w := range want {
			keep = keep || e.Name() == w
		}
		if !keep {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "one\n"); return err }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || string(b) != "one\n" || st.Mode().Perm() != Mode {
		t.Fatalf("%q, %v, %v", b, st.Mode(), err)
	}
	// A failure while writing leaves the old file and nothing else.
	boom := errors.New("boom")
	err = Write(path, func(w io.Writer) error { fmt.Fprint(w, "half"); return boom })
	if b, _ := os.ReadFile(path); !errors.Is(err, boom) || string(b) != "one\n" {
		t.Errorf("after a failed write: %q, %v", b, err)
	}
	if l := leftovers(t, dir, "out.csv"); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
	// A directory that does not exist: an error, nothing made.
	if err := Write(filepath.Join(dir, "no", "x"), func(io.Writer) error { return nil }); err == nil {
		t.Error("wrote into a missing directory")
	}
}

func TestStageCommitDiscard(t *testing.T) {
	dir := t.TempDir()
	a, err := Stage(filepath.Join(dir, "a"), 0o600, func(w io.Writer) error { _, err := io.WriteString(w, "A"); return err })
	if err != nil {
		t.Fatal(err)
	}
	b, err := Stage(filepath.Join(dir, "b"), Mode, func(w io.Writer) error { _, err := io.WriteString(w, "B"); return err })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a.Path()); err == nil {
		t.Error("a staged file is in place before Commit")
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Discard()
	if st, err := os.Stat(a.Path()); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("committed a: %v %v", st, err)
	}
	if l := leftovers(t, dir, "a"); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
	// A rename that fails (the target is a non-empty directory) removes the temporary file.
	os.MkdirAll(filepath.Join(dir, "c", "x"), 0o755)
	c, err := Stage(filepath.Join(dir, "c"), Mode, func(io.Writer) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(); err == nil {
		t.Error("renamed over a directory")
	}
	if l := leftovers(t, dir, "a", "c"); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
}
