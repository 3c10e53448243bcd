package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// gridBase is a multiple of 58 s and of 60 s: with the default keep-alive
// (a 58 s grid) the invocation scheduled at gridBase owns the slot
// gridBase + 116 s (its window is [+70 s, +130 s)), and the one scheduled
// at gridBase + 23 min owns two, gridBase + 1450 s and + 1508 s.
var gridBase = time.Unix(1000*1740, 0).UTC()

// schedulerInput is EventBridge Scheduler's target input with the
// scheduled time (infra's stack writes {"scheduledTime":
// "<aws.scheduler.scheduled-time>"}).
func schedulerInput(t time.Time) string {
	return `{"scheduledTime":"` + t.Format(time.RFC3339) + `"}`
}

// scheduledSummary is the schedule part of the response.
type scheduledSummary struct {
	Schedule *struct {
		Scheduled string   `json:"scheduled"`
		Owned     int      `json:"slots_owned"`
		Sent      []string `json:"slots_sent"`
		Missed    int      `json:"slots_missed"`
		Status    string   `json:"status"`
	} `json:"schedule"`
}

// clockAt is a handler's clock that reads virtual when the test starts and
// runs at the real pace from there.
func clockAt(virtual time.Time) func() time.Time {
	shift := time.Until(virtual)
	return func() time.Time { return time.Now().Add(shift) }
}

// A scheduled invocation owns the slots of the aligned grid in its window
// and sends only those still ahead: all when on time, the rest when late,
// none when every slot passed, when the window is over, when the window
// holds none (a period over a minute) or when the process served its
// scheduled time before; the summary and the log say which.
func TestScheduledInvocationSendsItsSlots(t *testing.T) {
	f := newFixture(t)
	h := &handler{getenv: func(k string) string { return f.env[k] }, metrics: &f.metrics, logs: &f.logs}
	invoke := func(scheduled, now time.Time) (summary, scheduledSummary, int, time.Duration) {
		t.Helper()
		h.clock = clockAt(now)
		before := f.edge.Requests()
		start := time.Now()
		out, err := lambda.NewHandler(h).Invoke(context.Background(), []byte(schedulerInput(scheduled)))
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		var ss scheduledSummary
		if err := json.Unmarshal(out, &ss); err != nil || ss.Schedule == nil {
			t.Fatalf("no schedule in the summary (%v): %s", err, out)
		}
		return decode(t, out), ss, f.edge.Requests() - before, took
	}
	at := func(sec float64) time.Time { return gridBase.Add(time.Duration(sec * float64(time.Second))) }
	for _, c := range []struct {
		name                 string
		scheduled, now       float64 // seconds after gridBase
		status               string
		owned, waves, missed int
		log                  string
	}{
		{"on time: its one slot, 0.3 s ahead", 0, 115.7, "on-time", 1, 1, 0, `"msg":"prewarm slots"`},
		{"duplicate: the same scheduled time again", 0, 115.9, "duplicate", 1, 0, 0, "served before (a duplicate delivery)"},
		{"late: the first slot passed, the second 0.3 s ahead", 1380, 1507.7, "late", 2, 1, 1, "sending only its remaining slots"},
		{"very late: its slot passed, the window still open", 1440, 1569.5, "stale", 1, 0, 1, "came after its slots"},
		{"stale: an hour after its window", 1500, 1500 + 3600, "stale", 1, 0, 1, "came after its slots"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.logs.Reset()
			f.metrics.Reset()
			s, ss, sent, took := invoke(at(c.scheduled), at(c.now))
			if c.waves > 0 && took < 250*time.Millisecond {
				t.Errorf("returned after %v: the wave did not wait for its slot 0.3 s ahead", took)
			}
			if got := ss.Schedule; got.Status != c.status || got.Owned != c.owned || len(got.Sent) != c.waves || got.Missed != c.missed ||
				got.Scheduled != at(c.scheduled).Format(time.RFC3339) {
				t.Errorf("schedule %+v: want %s, %d owned, %d sent", *got, c.status, c.owned, c.waves)
			}
			if len(s.Waves) != c.waves || sent != 10*c.waves || len(f.emfLines(t)) != 2*c.waves {
				t.Errorf("%d waves, %d requests, %d EMF lines; want %d waves of 2 POPs × 5", len(s.Waves), sent, len(f.emfLines(t)), c.waves)
			}
			if !strings.Contains(f.logs.String(), c.log) {
				t.Errorf("the log does not say %q:\n%s", c.log, f.logs.String())
			}
		})
	}
	// A keep-alive of 180 s: a 178 s grid, so most one-minute windows hold
	// no slot and their invocations return at once.
	f.env["KEEPALIVE"] = "180s"
	s0 := time.Unix(1000*5340, 0) // a multiple of 178 s and 60 s: [s0+70, s0+130) holds no slot
	f.logs.Reset()
	s, ss, sent, took := invoke(s0, s0.Add(3*time.Second))
	if ss.Schedule.Status != "no-slot" || ss.Schedule.Owned != 0 || len(s.Waves) != 0 || sent != 0 || took > time.Second {
		t.Errorf("no slot: %+v, %d waves, %d requests, took %v", *ss.Schedule, len(s.Waves), sent, took)
	}
	if !strings.Contains(f.logs.String(), "no slot of the grid") {
		t.Errorf("the log does not say why nothing was sent:\n%s", f.logs.String())
	}
	// Without a scheduled time the same function sends its plain-rule waves,
	// and warns when they leave gaps the keep-alive cannot bridge.
	f.env["KEEPALIVE"], f.env["WAVES"], f.env["WAVE_INTERVAL"] = "60s", "1", ""
	f.logs.Reset()
	out, err := lambda.NewHandler(h).Invoke(context.Background(), []byte(`{}`))
	if err != nil || strings.Contains(string(out), `"schedule"`) || len(decode(t, out).Waves) != 1 {
		t.Errorf("plain rule: %v %s", err, out)
	}
	if !strings.Contains(f.logs.String(), "leave gaps longer than the keep-alive") || !strings.Contains(f.logs.String(), `"longest_gap":"2m10s"`) {
		t.Errorf("one wave a minute under a plain rule: no warning about its 130 s gaps:\n%s", f.logs.String())
	}
}
