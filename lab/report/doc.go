// Package report turns the measurements of lab scenarios into what a person
// or a program reads afterwards: the comparison table for the terminal,
// results.jsonl (every probe), summary.json, a self-contained report.html
// that works offline, and the same charts as PNG files.
//
// It owns the presentation of a lab run and nothing else: it never measures,
// and the numbers it prints come from probe.Result and probe.Summary.
package report
