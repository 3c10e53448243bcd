package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cfprewarm/cfprewarm/internal/atomicfile"
)

// file is one output file rendered in memory, waiting to be written.
type file struct {
	name string
	data []byte
}

// WritePNGs writes the charts as PNG files into dir (created if needed):
// timeline-<scenario>.png for each scenario, then cdf.png. It returns the
// paths written.
func WritePNGs(dir string, r Report) ([]string, error) {
	charts, err := r.fileCharts()
	if err != nil {
		return nil, err
	}
	files, err := pngFiles(charts)
	if err != nil {
		return nil, err
	}
	return writeFiles(dir, files)
}

// WriteDir writes results.jsonl, summary.json, report.html and the PNG
// charts into dir (created if needed) and returns the paths written.
// Everything is rendered in memory first; each file is then written to a
// temporary file in dir and renamed into place, so no file is ever
// half-written, and a failure before the renames leaves dir as it was.
func WriteDir(dir string, r Report) ([]string, error) {
	charts, err := r.fileCharts()
	if err != nil {
		return nil, err
	}
	var jsonl, summary, page bytes.Buffer
	if err := WriteResultsJSONL(&jsonl, r); err != nil {
		return nil, err
	}
	if err := WriteSummaryJSON(&summary, r); err != nil {
		return nil, err
	}
	if err := writeHTML(&page, r, charts); err != nil {
		return nil, err
	}
	pngs, err := pngFiles(charts)
	if err != nil {
		return nil, err
	}
	files := append([]file{
		{"results.jsonl", jsonl.Bytes()},
		{"summary.json", summary.Bytes()},
		{"report.html", page.Bytes()},
	}, pngs...)
	return writeFiles(dir, files)
}

// fileCharts checks that every scenario gets its own file name and builds
// the charts.
func (r Report) fileCharts() ([]chart, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	return r.charts()
}

func pngFiles(charts []chart) ([]file, error) {
	files := make([]file, 0, len(charts))
	for _, c := range charts {
		b, err := c.png()
		if err != nil {
			return nil, err
		}
		files = append(files, file{c.file + ".png", b})
	}
	return files, nil
}

// writeFiles writes every file to a temporary file in dir
// (internal/atomicfile), then renames them into place. A failure while
// writing removes the temporary files and leaves dir as it was; a failure
// while renaming removes the remaining temporary files and returns the
// paths already in place with the error.
func writeFiles(dir string, files []file) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: output directory: %w", err)
	}
	pending := make([]*atomicfile.Pending, 0, len(files))
	discard := func(from int) {
		for _, p := range pending[from:] {
			p.Discard()
		}
	}
	for _, f := range files {
		p, err := atomicfile.Stage(filepath.Join(dir, f.name), atomicfile.Mode, func(w io.Writer) error {
			_, err := w.Write(f.data)
			return err
		})
		if err != nil {
			discard(0)
			return nil, fmt.Errorf("report: %s: %w", f.name, err)
		}
		pending = append(pending, p)
	}
	paths := make([]string, 0, len(files))
	for i, p := range pending {
		if err := p.Commit(); err != nil {
			discard(i + 1)
			return paths, fmt.Errorf("report: %s: %w", p.Path(), err)
		}
		paths = append(paths, p.Path())
	}
	return paths, nil
}
