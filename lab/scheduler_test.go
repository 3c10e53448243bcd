package lab

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/schedule"
)

// The lab's scheduler draws lateness within the model (within the minute
// plus the delivery allowance) and misbehaves as often as asked: a minute
// delivered twice, later than the model, or not at all.
func TestSchedulerDeliveries(t *testing.T) {
	f := SchedulerFaults{Duplicate: 0.05, Late: 0.02, Missing: 0.01}
	const minutes = 100_000
	ds := deliveries(rand.New(rand.NewPCG(1, 2)), schedulerBase, minutes, f)
	count := map[deliveryKind]int{}
	for i, d := range ds {
		count[d.Kind]++
		if d.Kind == deliveredNotAtAll {
			continue
		}
		late := d.Arrival.Sub(d.Scheduled)
		model := late >= 0 && late <= schedule.EventBridge.Max
		if (d.Kind == deliveredLate) == model || late > schedule.EventBridge.Max+time.Minute {
			t.Fatalf("delivery %d (%v) %v after its minute", i, d.Kind, late)
		}
		if i > 0 && ds[i-1].Kind != deliveredNotAtAll && d.Arrival.Before(ds[i-1].Arrival) {
			t.Fatal("deliveries out of arrival order")
		}
	}
	for kind, want := range map[deliveryKind]float64{deliveredTwice: f.Duplicate * (1 - f.Missing), deliveredLate: f.Late, deliveredNotAtAll: f.Missing} {
		if got := float64(count[kind]) / minutes; math.Abs(got-want) > 0.003 {
			t.Errorf("kind %d: %.4f of the minutes, want %.4f", kind, got, want)
		}
	}
}

// With the lab's deliveries, the Lambda's plan (fleet.plan, as the
// handler decides) leaves every gap within keep-alive − margin except next
// to a late or missing invocation (aligned: a missed slot; waves: a
// missing run), and a minute delivered twice to one environment sends
// nothing the second time.
func TestSchedulerPlansExplainTheirGaps(t *testing.T) {
	ds := deliveries(rand.New(rand.NewPCG(5, 6)), schedulerBase, 3000, DefaultSchedulerFaults)
	for _, opt := range []schedule.Option{schedule.AlignedFor(time.Minute, schedule.DefaultMargin), schedule.Waves(3, 40*time.Second)} {
		f := &fleet{opt: opt, statuses: map[string]int{}}
		var ledger schedule.Ledger // one environment: duplicates are seen
		var waves []time.Time
		for _, d := range ds {
			if d.Kind != deliveredNotAtAll {
				waves = append(waves, f.plan(&ledger, d)...)
			}
		}
		slices.SortFunc(waves, func(a, b time.Time) int { return a.Compare(b) })
		over, unexplained := 0, 0
		for i := 1; i < len(waves); i++ {
			if waves[i].Equal(waves[i-1]) && opt.Kind == schedule.KindAligned {
				t.Fatalf("%v: slot %v sent twice by one environment", opt, waves[i])
			}
			if waves[i].Sub(waves[i-1]) <= time.Minute-schedule.DefaultMargin {
				continue
			}
			over++
			if !slices.ContainsFunc(ds, func(d delivery) bool { return d.explains(opt, waves[i-1], waves[i]) }) {
				unexplained++
			}
		}
		if over == 0 || unexplained != 0 {
			t.Errorf("%v: %d gaps over 58 s, %d unexplained; want some (the faults) and none unexplained", opt, over, unexplained)
		}
		if opt.Kind == schedule.KindAligned && (f.statuses["duplicate"] == 0 || f.statuses["late"]+f.statuses["stale"] == 0) {
			t.Errorf("aligned: statuses %v, want duplicates and late ones", f.statuses)
		}
		t.Logf("%v: %d gaps over 58 s, all after a late or missing invocation; statuses %v", opt, over, f.statuses)
	}
}

// TestSchedulerScenario runs the scheduler scenario on short links: aligned
// waves send fewer prewarm requests than 3 waves 40 s apart sized by the
// model for the same cold target (0.002), near the model's ratio, with no
// gap over the keep-alive less 2 s and viewers finding at least 99% warm
// origin connections on every POP, under a scheduler that draws its
// lateness within the minute and delivers a tenth of the minutes twice.
func TestSchedulerScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs two lab environments for about a minute")
	}
	cfg := Config{Profile: "local", Scenarios: []string{"scheduler"}, Probes: 300, ProbeInterval: 4 * time.Second,
		TimeScale: 25, Hosts: 16, Seed: 7, SchedulerFaults: &SchedulerFaults{Duplicate: 0.1}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Scenarios) != 2 || rep.Scenarios[0].Name != "scheduler-aligned" || rep.Scenarios[1].Name != "scheduler-waves" {
		t.Fatalf("scenarios %v", rep.Scenarios)
	}
	aligned, waves := rep.Scenarios[0].Schedule, rep.Scenarios[1].Schedule
	ratio, model := aligned.RequestsPerPOPHour/waves.RequestsPerPOPHour, aligned.ModelRequestsPerPOPHour/waves.ModelRequestsPerPOPHour
	if !(ratio < 1) || math.Abs(ratio-model) > 0.15*model {
		t.Errorf("aligned sends %.0f prewarm requests per POP-hour, 3 × 40 s %.0f: ratio %.2f, model %.2f", aligned.RequestsPerPOPHour, waves.RequestsPerPOPHour, ratio, model)
	}
	for _, sc := range rep.Scenarios {
		st := sc.Schedule
		if st.LongestGap > st.AllowedGap || st.GapsOver != 0 || st.Duplicates == 0 {
			t.Errorf("%s: longest gap %v (allowed %v), %d duplicates", sc.Name, st.LongestGap, st.AllowedGap, st.Duplicates)
		}
		for _, p := range sc.POPs {
			if r, ok := p.WarmRatio().Value(); !ok || r < 0.99 || p.Warm+p.Cold < 290 {
				t.Errorf("%s, %s: viewer warm ratio %v (%d/%d), want at least 0.99 of about 300", sc.Name, p.POP, r, p.Warm, p.Warm+p.Cold)
			}
		}
		t.Logf("%s: %s, %d per wave, %.0f requests per POP-hour (model %.0f), longest gap %v, waves up to %v late, statuses %v, %d environments",
			sc.Name, st.Option, st.RequestsPerWave, st.RequestsPerPOPHour, st.ModelRequestsPerPOPHour, st.LongestGap, st.StartLag, st.Statuses, st.Environments)
	}
	t.Logf("aligned/3 × 40 s: %.3f (model %.3f)", ratio, model)
}
