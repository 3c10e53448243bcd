package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/cfprewarm/cfprewarm/accesslog"
)

// progress shows a status line on stderr, only when stderr is a terminal
// and there is more than one step to show (total 0: unknown).
type progress struct {
	w     io.Writer
	total int
	on    bool
	shown bool
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, total: total, on: ok && total != 1 && term.IsTerminal(int(f.Fd()))}
}

// show prints the state after probe done of total; the next starts after wait.
func (p *progress) show(done int, wait time.Duration) {
	if !p.on || done >= p.total {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%d/%d probes done, next in %s (Ctrl-C ends early with the summary)", done, p.total, wait.Round(time.Second))
	p.shown = true
}

// clear erases the progress line before other output.
func (p *progress) clear() {
	if p.on && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// status replaces the progress line with msg (terminal only).
func (p *progress) status(msg string) {
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K%s", msg)
		p.shown = true
	}
}

// readProgressLine is plan's status line: the S3 objects listed while a
// listing runs, then the bytes and lines read.
func readProgressLine(p *accesslog.Progress) string {
	read, total, listed := p.Read.Load(), p.Total.Load(), p.Listed.Load()
	if read == 0 && total == 0 && listed > 0 {
		return fmt.Sprintf("listing S3: %d objects so far", listed)
	}
	msg := fmt.Sprintf("reading logs: %.1f MB", float64(read)/1e6)
	if total > 0 {
		msg += fmt.Sprintf(" of %.1f MB (%.0f%%)", float64(total)/1e6, 100*float64(read)/float64(total))
	}
	return msg + fmt.Sprintf(", %d lines", p.Lines.Load())
}
