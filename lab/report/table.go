package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTable writes the comparison table for the terminal: the profile,
// one row per scenario (Total p50/p90, viewer TLS p50, first byte p50,
// origin warm ratio, probes, errors), the speedup line and, where a
// Reference exists, the published median next to the lab's.
func WriteTable(w io.Writer, r Report) error {
	var b strings.Builder
	b.WriteString(r.paramsLines())
	b.WriteString("\n\n")
	rows := make([][]string, 2, 2+len(r.Scenarios))
	for _, c := range columns {
		h1, h2 := c.headerLines()
		rows[0] = append(rows[0], h1)
		rows[1] = append(rows[1], h2)
	}
	for _, s := range r.Scenarios {
		sum := s.summary()
		row := make([]string, len(columns))
		for i, c := range columns {
			row[i] = c.cell(s, sum)
		}
		rows = append(rows, row)
	}
	writeAligned(&b, rows)
	b.WriteString(coverageLines(r))
	b.WriteString(scheduleLines(r))
	b.WriteString("\n")
	if line := r.speedupLine(); line != "" {
		b.WriteString(line)
		b.WriteString("\n")
	}
	for _, c := range r.comparisons() {
		b.WriteString(c.String())
		if c.Source != "" {
			fmt.Fprintf(&b, " [%s]", c.Source)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(columnNotes)
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAligned writes rows as columns two spaces apart, numeric columns
// right-aligned, without trailing spaces.
func writeAligned(b *strings.Builder, rows [][]string) {
	widths := make([]int, len(columns))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if columns[i].numeric {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
}
