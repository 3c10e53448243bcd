package schedule

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// base is a multiple of 58 s and of 60 s (29 × 60 = 30 × 58 = 1,740 s):
// slots of a 58 s grid fall on base + 58k. The invocation scheduled at
// base owns [base + 70 s, base + 130 s), which holds the slot base + 116 s;
// the one scheduled at base + 23 min owns [base + 1450 s, base + 1510 s),
// which holds two, base + 1450 s (58 × 25) and base + 1508 s.
var base = time.Unix(1000*1740, 0).UTC()

func at(sec float64) time.Time { return base.Add(time.Duration(sec * float64(time.Second))) }

func TestPlanOwnership(t *testing.T) {
	g := Aligned(58 * time.Second).Grid()
	for _, tc := range []struct {
		name           string
		scheduled, now float64 // seconds after base
		due            []float64
		owned          int
		status         Status
	}{
		{"on time, at the scheduled second", 0, 0, []float64{116}, 1, OnTime},
		{"on time, as late as the model allows", 0, 70, []float64{116}, 1, OnTime},
		{"late beyond the model, before its slot", 0, 100, []float64{116}, 1, OnTime},
		{"two slots, on time", 1380, 1380 + 3, []float64{1450, 1508}, 2, OnTime},
		{"late: the first slot passed, the second is sent", 1380, 1460, []float64{1508}, 2, Late},
		{"a slot less than the tolerance ago is sent at once", 1380, 1450.5, []float64{1450, 1508}, 2, OnTime},
		{"very late: every slot passed, the window still open", 0, 117.5, nil, 1, Stale},
		{"stale: older than its window", 0, 130, nil, 1, Stale},
		{"stale: an hour old", 0, 3600, nil, 1, Stale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := g.Plan(at(tc.scheduled), at(tc.now))
			var want []time.Time
			for _, s := range tc.due {
				want = append(want, at(s))
			}
			if !slices.Equal(inv.Due, want) || inv.Owned != tc.owned || inv.Status != tc.status {
				t.Errorf("Plan = due %v owned %d %s, want due %v owned %d %s", inv.Due, inv.Owned, inv.Status, want, tc.owned, tc.status)
			}
			if from, to := g.Window(at(tc.scheduled)); !inv.From.Equal(from) || !inv.To.Equal(to) || to.Sub(from) != time.Minute || from.Sub(at(tc.scheduled)) != 70*time.Second {
				t.Errorf("window [%v, %v), want the minute from 70 s after the scheduled time", inv.From, inv.To)
			}
		})
	}
}

func TestPlanNoSlot(t *testing.T) {
	// 178 s: the invocation scheduled at a multiple of lcm(178 s, 60 s)
	// owns [s+70, s+130), which holds no slot; the next owns s+178 s.
	g := Aligned(178 * time.Second).Grid()
	s := time.Unix(1000*5340, 0)
	if inv := g.Plan(s, s.Add(5*time.Second)); inv.Status != NoSlot || inv.Owned != 0 || len(inv.Due) != 0 {
		t.Errorf("no slot: %+v", inv)
	}
	next := s.Add(time.Minute)
	if inv := g.Plan(next, next.Add(5*time.Second)); inv.Status != OnTime || !slices.Equal(inv.Due, []time.Time{s.Add(178 * time.Second).UTC()}) {
		t.Errorf("the next invocation: %+v, want the slot at +178 s", inv)
	}
}

func TestLedgerDuplicates(t *testing.T) {
	g := Aligned(58 * time.Second).Grid()
	var l Ledger
	first := l.Claim(g.Plan(at(0), at(10)), at(10))
	if first.Status != OnTime || len(first.Due) != 1 {
		t.Fatalf("first delivery: %+v", first)
	}
	dup := l.Claim(g.Plan(at(0), at(40)), at(40))
	if dup.Status != Duplicate || len(dup.Due) != 0 || dup.Owned != 1 {
		t.Errorf("second delivery of the same scheduled time: %+v, want a duplicate sending nothing", dup)
	}
	if next := l.Claim(g.Plan(at(60), at(65)), at(65)); next.Status != OnTime || len(next.Due) != 1 {
		t.Errorf("the next minute: %+v", next)
	}
	// After its window the time is forgotten: a delivery then is stale,
	// not remembered forever.
	if late := l.Claim(g.Plan(at(0), at(200)), at(200)); late.Status != Stale {
		t.Errorf("a delivery after the window: %s, want stale", late.Status)
	}
	// Windows that ended (+130 s and +190 s) were forgotten: only the last
	// claim is kept.
	if len(l.served) != 1 {
		t.Errorf("ledger keeps %d entries, want 1: times whose window ended are forgotten", len(l.served))
	}
}

func TestInvocationJSON(t *testing.T) {
	inv := Aligned(58*time.Second).Grid().Plan(at(1380), at(1460))
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["status"] != "late" || got["slots_owned"] != 2.0 || got["slots_missed"] != 1.0 ||
		got["scheduled"] != at(1380).Format(time.RFC3339) || !strings.HasSuffix(got["window_from"].(string), "Z") {
		t.Errorf("JSON %s", b)
	}
	if sent := got["slots_sent"].([]any); len(sent) != 1 || sent[0] != at(1508).Format(time.RFC3339) {
		t.Errorf("slots_sent %v", sent)
	}
}
