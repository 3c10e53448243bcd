package plan

import "github.com/cfprewarm/cfprewarm/stats"

// Which POPs the options are priced for (Plan.OptionsFor).
const (
	OptionsForWarmed  = "warmed"  // the POPs the plan warms
	OptionsForPassing = "passing" // none is warmed: those that pass every threshold but the cost
)

// compare prices the POPs the plan warms under each option (one row each,
// after the plan's own row), with the plan's one cost function (group, one
// Lambda or daemon per region, byRegion): the whole bill, the viewers'
// cold share over those POPs' requests and the worst POP's, whether every
// POP meets --target-cold, and the waiting removed. An option is chosen
// when the plan uses it in every region. When the plan warms no POP, the
// options are priced for the POPs that pass every threshold but the cost
// (what warming them would take); when there are none either, there is
// nothing to compare.
func (pl planner) compare(models []model, pops []POP, groups []Group, passing map[string]bool) ([]Option, string, []string) {
	byCode := make(map[string]model, len(models))
	for _, m := range models {
		byCode[m.pop.Code] = m
	}
	var warmed []model
	for _, pop := range pops {
		if pop.Warm {
			warmed = append(warmed, byCode[pop.Code])
		}
	}
	what := OptionsForWarmed
	if len(warmed) == 0 {
		what = OptionsForPassing
		for _, pop := range pops {
			if passing[pop.Code] {
				warmed = append(warmed, byCode[pop.Code])
			}
		}
	}
	if len(warmed) == 0 {
		return []Option{}, "", []string{}
	}
	codes := make([]string, len(warmed))
	for i, m := range warmed {
		codes[i] = m.pop.Code
	}
	row := Option{Kind: OptionPlan, Name: string(OptionPlan), KeepAlive: stats.Seconds(pl.cfg.TargetKeepAlive), MeetsTarget: true,
		About: "this plan: in each region the cheapest Lambda at the target keep-alive that meets --target-cold"}
	var cold, reqs, removed float64
	for _, pop := range pops {
		if !pop.Warm {
			continue
		}
		cold += pop.Cold.Prewarmed * float64(pop.Requests)
		removed += pop.RemovedPerDay.Float()
		row.WorstCold = max(row.WorstCold, pop.Cold.Prewarmed)
	}
	for _, m := range warmed {
		reqs += float64(m.pop.Requests)
	}
	for _, g := range groups {
		row.Cost = row.Cost.add(g.Cost)
		row.RequestsPerWave = max(row.RequestsPerWave, g.RequestsPerWave)
		row.MeetsTarget = row.MeetsTarget && g.MeetsTarget
	}
	if reqs > 0 {
		row.ColdShare = cold / reqs
	}
	row.RemovedPerDay = seconds(removed)
	var out []Option
	if what == OptionsForWarmed {
		out = append(out, row)
	}

	for _, o := range pl.opts {
		s := Schedule{o.sched}
		row := Option{Kind: o.kind, Name: o.name(), About: o.about(), KeepAlive: stats.Seconds(o.keepAlive), QuotaIncrease: o.quota(),
			Schedule: &s, MeetsTarget: true, Chosen: len(groups) > 0}
		var cold, removed float64
		for _, r := range byRegion(warmed, func(m model) string { return m.pop.Region }) {
			g, vs := pl.group(o, r.name, r.items)
			row.Cost = row.Cost.add(g.Cost)
			row.RequestsPerWave = max(row.RequestsPerWave, g.RequestsPerWave)
			row.MeetsTarget = row.MeetsTarget && g.MeetsTarget
			row.WorstCold = max(row.WorstCold, g.WorstCold)
			for _, v := range vs {
				cold += v.cold
				removed += v.removedPerDay
			}
		}
		for _, g := range groups {
			row.Chosen = row.Chosen && g.opt.same(o)
		}
		if reqs > 0 {
			row.ColdShare = cold / reqs
		}
		row.RemovedPerDay = seconds(removed)
		out = append(out, row)
	}
	return out, what, codes
}
