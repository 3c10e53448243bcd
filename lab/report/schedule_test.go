package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The scheduler scenario's block: per way of sending waves its gaps,
// requests beside the model's and the scheduler's deliveries, then the
// ratio of the two beside the model's; summary.json carries the same.
func TestScheduleLines(t *testing.T) {
	st := func(option string, perHour, model float64) *ScheduleStats {
		return &ScheduleStats{Option: option, AllowedGap: 58 * time.Second, ModelGap: 58 * time.Second, LongestGap: 58 * time.Second,
			RequestsPerWave: 47, ColdTarget: 0.002, ModelCold: 0.0018, RequestsPerPOPHour: perHour, ModelRequestsPerPOPHour: model,
			Scheduled: 20, Delivered: 21, Duplicates: 1, Statuses: map[string]int{"on-time": 20, "duplicate": 1}, Environments: 2}
	}
	r := Report{Profile: "local", TimeScale: 20, Scenarios: []Scenario{
		{Name: "scheduler-aligned", Schedule: st("aligned, every 58s", 3000, 2917)},
		{Name: "scheduler-waves", Schedule: st("3 waves 40s apart per invocation", 4400, 4320)},
	}}
	var b bytes.Buffer
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"scheduler-aligned: aligned, every 58s, 47 requests per POP and wave (cold target 0.002, model 0.0018)",
		"longest gap 58.0 s (model 58.0 s, allowed 58.0 s); 0 over the allowed",
		"3000 prewarm requests per POP-hour (model 2917)",
		"20 minutes, 21 deliveries (1 duplicates, 0 late, 0 missing), 2 execution environments; invocations 1 duplicate, 20 on-time",
		"scheduler-aligned sends 0.68× the prewarm requests of scheduler-waves for the same cold target (model 0.68×)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteSummaryJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Scenarios []struct {
			Schedule map[string]any `json:"schedule"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(b.Bytes(), &sum); err != nil || len(sum.Scenarios) != 2 {
		t.Fatalf("summary.json: %v\n%s", err, b.String())
	}
	if s := sum.Scenarios[1].Schedule; s["requests_per_pop_hour"] != 4400.0 || s["longest_gap_s"] != 58.0 || s["option"] != "3 waves 40s apart per invocation" {
		t.Errorf("summary.json schedule %v", s)
	}
}
