package report

import (
	"bytes"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"html"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// externalRef matches anything that would make a browser fetch a resource:
// a URL with a scheme or protocol-relative, in an attribute, CSS url() or
// @import; and any script or link element at all.
var externalRef = regexp.MustCompile(`(?i)(src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(https?:|//)|url\(\s*["']?\s*(https?:|//)|@import|<script|<link|<iframe|<object|<embed`)

func TestWriteHTMLIsSelfContained(t *testing.T) {
	r := sampleReport()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if m := externalRef.FindString(page); m != "" {
		t.Errorf("report.html references an external resource: %q", m)
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		i := max(strings.Index(page, "http://"), strings.Index(page, "https://"))
		t.Errorf("report.html contains a URL near %q", page[max(0, i-60):min(len(page), i+60)])
	}
	// One chart per scenario plus the phase chart and the CDF.
	if n := strings.Count(page, "<svg"); n != len(r.Scenarios)+2 {
		t.Errorf("%d <svg> elements, want %d", n, len(r.Scenarios)+2)
	}
	if strings.Contains(page, "<?xml") || strings.Contains(page, "<!DOCTYPE svg") {
		t.Error("inline SVG keeps its XML prolog")
	}
	text := html.UnescapeString(page)
	for _, want := range []string{
		"<!DOCTYPE html>", "ka5-noprewarm", "ka60-prewarm", "ka60-noprewarm", "prewarm-partial",
		"keep-alive 60 s, prewarm 2 requests per POP for 4 hosts",
		"2.67\u00d7", "published: 2.61\u00d7", "cdn-upstream-connect", "0.61 (11/18)",
		"ka5-noprewarm: published 0.620 s, lab 0.639 s (+3.0%)",
		"origin connection reused (warm)", "new origin connection (cold)", "failed (no response): 1",
		"Liberation Sans',Arial",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestWriteHTMLEscapesNames(t *testing.T) {
	r := testReport()
	r.Scenarios[0].Name = `<b>x</b>`
	r.Scenarios[0].Title = `a & "b"`
	r.Baseline = `<b>x</b>`
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<b>x</b>") {
		t.Error("scenario name is not escaped")
	}
}

func TestWritePNGs(t *testing.T) {
	r := sampleReport()
	dir := filepath.Join(t.TempDir(), "charts")
	paths, err := WritePNGs(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range r.Scenarios {
		want = append(want, filepath.Join(dir, "timeline-"+s.Name+".png"))
	}
	want = append(want, filepath.Join(dir, "phases.png"), filepath.Join(dir, "cdf.png"))
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %q, want %q", paths, want)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s does not start with the PNG signature", p)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if w := img.Bounds().Dx(); w != 9*pngDPI {
			t.Errorf("%s is %d pixels wide, want %d", p, w, 9*pngDPI)
		}
	}
}

func TestWriteDir(t *testing.T) {
	r := sampleReport()
	dir := filepath.Join(t.TempDir(), "out", "lab")
	paths, err := WriteDir(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"results.jsonl", "summary.json", "report.html",
		"timeline-ka5-noprewarm.png", "timeline-ka60-prewarm.png", "timeline-ka60-noprewarm.png",
		"timeline-prewarm-partial.png", "phases.png", "cdf.png"}
	var got []string
	for _, p := range paths {
		if filepath.Dir(p) != dir {
			t.Errorf("%s is not in %s", p, dir)
		}
		got = append(got, filepath.Base(p))
	}
	if !slices.Equal(got, want) {
		t.Errorf("wrote %q, want %q", got, want)
	}
	if left := dirNames(t, dir); !slices.Equal(left, sorted(want)) {
		t.Errorf("directory holds %q, want exactly %q", left, sorted(want))
	}
	for _, name := range want {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() == 0 || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: size %d mode %v", name, info.Size(), info.Mode().Perm())
		}
	}
	// Written again over the old files: replaced, still nothing else.
	if _, err := WriteDir(dir, r); err != nil {
		t.Fatal(err)
	}
	if left := dirNames(t, dir); !slices.Equal(left, sorted(want)) {
		t.Errorf("after a rewrite the directory holds %q", left)
	}
}

func TestWriteDirFailures(t *testing.T) {
	t.Run("dir is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteDir(f, testReport()); err == nil {
			t.Error("WriteDir into a regular file succeeded")
		}
		if _, err := WriteDir(filepath.Join(f, "sub"), testReport()); err == nil {
			t.Error("WriteDir below a regular file succeeded")
		}
	})
	t.Run("target is a directory", func(t *testing.T) {
		dir := t.TempDir()
		// report.html cannot replace a non-empty directory: the rename fails.
		if err := os.MkdirAll(filepath.Join(dir, "report.html", "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		paths, err := WriteDir(dir, testReport())
		if err == nil {
			t.Fatal("WriteDir succeeded although report.html is a directory")
		}
		for _, name := range dirNames(t, dir) {
			if strings.HasSuffix(name, ".tmp") {
				t.Errorf("temporary file %s left behind", name)
			}
		}
		for _, p := range paths {
			if filepath.Base(p) == "report.html" {
				t.Error("report.html reported as written")
			}
		}
	})
	t.Run("dir not writable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only directories")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		if _, err := WriteDir(dir, testReport()); err == nil {
			t.Error("WriteDir into a read-only directory succeeded")
		}
		if left := dirNames(t, dir); len(left) != 0 {
			t.Errorf("read-only directory holds %q", left)
		}
	})
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestSampleReport writes the sample report into REPORT_SAMPLE_DIR, for a
// person to open report.html and look at the charts:
//
//	REPORT_SAMPLE_DIR=/tmp/sample go test -run TestSampleReport ./lab/report
func TestSampleReport(t *testing.T) {
	dir := os.Getenv("REPORT_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set REPORT_SAMPLE_DIR to write a sample report")
	}
	paths, err := WriteDir(dir, sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := WriteTable(&table, sampleReport()); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s\n%s", strings.Join(paths, "\n"), table.String())
}

// BenchmarkWriteDir renders and writes a report of 4 scenarios × 20 probes.
func BenchmarkWriteDir(b *testing.B) {
	r := sampleReport()
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WriteDir(dir, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteHTML(b *testing.B) {
	r := sampleReport()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(&bytes.Buffer{}, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWritePNGs(b *testing.B) {
	r := sampleReport()
	dir := b.TempDir()
	for b.Loop() {
		if _, err := WritePNGs(dir, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDegenerateReports: every writer copes with nothing to show.
func TestDegenerateReports(t *testing.T) {
	tests := []struct {
		name string
		r    Report
	}{
		{"empty", Report{}},
		{"scenario without probes", Report{Scenarios: []Scenario{{Name: "none"}}}},
		{"only failures, no start, scale 0", Report{Scenarios: []Scenario{scenario("down", 5*time.Second, true, 3, nil, nil)}, Baseline: "down", Improved: "down"}},
		{"one probe", Report{TimeScale: 1, Scenarios: []Scenario{scenario("one", 5*time.Second, false, 1, jitter(coldTotal), always(cloudfront.OriginUnknown))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTable(&b, tt.r); err != nil {
				t.Error(err)
			}
			if err := WriteHTML(&b, tt.r); err != nil {
				t.Error(err)
			}
			paths, err := WriteDir(t.TempDir(), tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if want := 3 + len(tt.r.Scenarios) + 2; len(paths) != want { // timelines, phases, CDF
				t.Errorf("%d files, want %d", len(paths), want)
			}
		})
	}
}
