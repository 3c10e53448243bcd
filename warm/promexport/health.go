package promexport

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Window returns the health window: how long /healthz tolerates no
// successful wave.
func (e *Exporter) Window() time.Duration { return e.window }

// DefaultWindow is the health window for runs every `every`: three
// periods, so that two runs in a row may fail (a POP's bad minute, a slow
// DNS server) before a container platform restarts the daemon.
func DefaultWindow(every time.Duration) time.Duration { return 3 * every }

// Health reports whether the daemon is healthy: a wave succeeded (every
// POP succeeded, see Succeeded) within the window, or, before the first
// success, the window has not yet passed since New. why says what the
// verdict rests on, in one line.
func (e *Exporter) Health() (ok bool, why string) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	last := e.lastWaveText()
	if e.lastSuccess.IsZero() {
		since := now.Sub(e.started)
		if since <= e.window {
			return true, fmt.Sprintf("starting: no successful wave yet, %s of the %s window passed%s", round(since), e.window, last)
		}
		return false, fmt.Sprintf("no successful wave in the %s since the start (window %s)%s", round(since), e.window, last)
	}
	ago := now.Sub(e.lastSuccess)
	verdict := fmt.Sprintf("last successful wave ended %s (%s ago; window %s)%s",
		e.lastSuccess.UTC().Format(time.RFC3339), round(ago), e.window, last)
	return ago <= e.window, verdict
}

// lastWaveText describes the last wave when it failed.
func (e *Exporter) lastWaveText() string {
	v := e.lastWave
	if len(v.failed) == 0 {
		return ""
	}
	const show = 5
	names := v.failed[:min(len(v.failed), show)]
	more := ""
	if len(v.failed) > show {
		more = fmt.Sprintf(" and %d more", len(v.failed)-show)
	}
	return fmt.Sprintf("; the last wave failed at %s%s", strings.Join(names, ", "), more)
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }

// serveHealth answers 200 or 503 with the verdict in one line of text.
func (e *Exporter) serveHealth(w http.ResponseWriter, _ *http.Request) {
	ok, why := e.Health()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unhealthy: %s\n", why)
		return
	}
	fmt.Fprintf(w, "ok: %s\n", why)
}
