package accesslog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSymlinks: links to files and to directories are followed, at the top
// and inside a directory, through a glob too; a link loop ends, and a file
// reached twice (through a link and directly) is read once.
func TestSymlinks(t *testing.T) {
	es := entries(9)
	root := t.TempDir()
	writeFile(t, root, "logs/x.log", w3c(es[:3]))
	writeFile(t, root, "elsewhere/y.log", w3c(es[3:6]))
	writeFile(t, root, "otherdir/z.log.gz", gz(w3c(es[6:])))
	for link, target := range map[string]string{
		"logs/link.log":  "../elsewhere/y.log", // a file outside the directory
		"logs/sub":       "../otherdir",        // a directory
		"logs/loop":      "..",                 // a loop: logs/loop/logs/loop/...
		"logs/again.log": "x.log",              // the same file under another name
		"logs/broken":    "nowhere",            // dangling: nothing to read
		"dirlink":        "logs",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []string{"logs", "dirlink", "dirl*"} {
		t.Run(in, func(t *testing.T) {
			recs, sum := readAll(t, Config{Inputs: []string{filepath.Join(root, in)}})
			equalRecords(t, recs, want(es, true))
			if len(sum.Files) != 3 {
				var names []string
				for _, f := range sum.Files {
					names = append(names, f.Name)
				}
				t.Errorf("files %q, want 3", names)
			}
		})
	}
}

// TestFieldsLineUnusable: a #Fields line that lacks what a record needs,
// at the top or in the middle of a file, is one bad-line example that
// names it; the lines under it are bad lines (until a usable #Fields), and
// the file, read to its end, has no Error. The same goes for records with
// no #Fields line before them.
func TestFieldsLineUnusable(t *testing.T) {
	es := entries(6)
	lines := strings.Split(strings.TrimSuffix(string(w3c(es)), "\n"), "\n")
	header := lines[:2] // #Version, #Fields
	body := lines[2:]
	for _, tc := range []struct {
		name     string
		data     []string
		records  int64
		bad      int64
		example  string
		exampleN int
	}{
		{"mid-file", append(append(append(append([]string{}, header...), body[:2]...), "#Fields: date time cs-method"), body[2:]...),
			2, 4, "line 5: #Fields has no x-edge-location field", 0},
		{"mid-file, then a good one", append(append(append(append(append(append([]string{}, header...), body[:2]...), "#Fields: foo bar"), body[2:4]...), header[1]), body[4:]...),
			4, 2, "line 5: #Fields has no x-edge-location, no date and time (or timestamp) field", 0},
		{"at the top", append([]string{"#Version: 1.0", "#Fields: a b c"}, body...), 0, 6, "line 2: #Fields has", 0},
		{"none", body, 0, 6, "line 1: no #Fields line before the first record (for headerless logs give --fields)", 0},
		{"after other bad lines", append(append(append([]string{}, header...), "junk 1", "junk 2", "junk 3", "#Fields: x"), body...),
			0, 9, "line 6: #Fields has", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "log", []byte(strings.Join(tc.data, "\n")+"\n"))
			_, sum := readAll(t, Config{Inputs: []string{p}})
			f := sum.Files[0]
			if f.Records != tc.records || f.Bad != tc.bad || f.Error != "" {
				t.Errorf("%+v: want %d records, %d bad, no error", f, tc.records, tc.bad)
			}
			if len(f.Examples) <= tc.exampleN || !strings.HasPrefix(f.Examples[tc.exampleN], tc.example) {
				t.Errorf("examples %q: want #%d to start with %q", f.Examples, tc.exampleN+1, tc.example)
			}
		})
	}
}

// readWithin runs Read with ctx and fails the test when it has not
// returned within d (a reader that ignores ctx would hang the test).
func readWithin(t *testing.T, ctx context.Context, cfg Config, d time.Duration) (Summary, error) {
	t.Helper()
	type result struct {
		sum Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Read(ctx, cfg, func(int, *Record) {})
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err
	case <-time.After(d):
		t.Fatalf("Read did not return within %v", d)
		return Summary{}, nil
	}
}

// zeros is an endless stream of zero bytes: one line that never ends.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReadStopsWhenCanceled: canceling the context stops a read that skips
// an endless line (/dev/zero, a bomb of zeros), and one that waits for a
// FIFO's writer or for a FIFO's next line.
func TestReadStopsWhenCanceled(t *testing.T) {
	fifo := func(t *testing.T) string {
		p := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T) Config
	}{
		{"endless line on stdin", func(*testing.T) Config { return Config{Inputs: []string{"-"}, Stdin: zeros{}} }},
		{"a bomb of zeros: 8 GiB from gzip members", func(t *testing.T) Config {
			member := gz(make([]byte, 1<<20))
			return Config{Inputs: []string{writeFile(t, t.TempDir(), "bomb.gz", bytes.Repeat(member, 8<<10))}}
		}},
		{"silent stdin", func(*testing.T) Config {
			pr, _ := io.Pipe() // never written
			return Config{Inputs: []string{"-"}, Stdin: pr}
		}},
		{"FIFO without a writer", func(t *testing.T) Config { return Config{Inputs: []string{fifo(t)}} }},
		{"FIFO whose writer stays silent", func(t *testing.T) Config {
			p := fifo(t)
			go func() {
				w, err := os.OpenFile(p, os.O_WRONLY, 0)
				if err != nil {
					return
				}
				w.Write(w3c(entries(3)))
				time.Sleep(10 * time.Second) // open, silent
				w.Close()
			}()
			return Config{Inputs: []string{p}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			_, err := readWithin(t, ctx, tc.cfg(t), 5*time.Second)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("stopped %v after the start, 200 ms after canceling was wanted", d)
			}
		})
	}
}
