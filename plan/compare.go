package plan

import "github.com/cfprewarm/cfprewarm/stats"

// compare prices the POPs the plan warms under each option (one row each,
// after the plan's own row), with the plan's one cost function (group, one
// Lambda or daemon per region, byRegion): the whole bill, the viewers'
// cold share over those POPs' requests and the worst POP's, whether every
// POP meets --target-cold, and the waiting removed. An option is chosen
// when the plan uses it in every region.
func (pl planner) compare(models []model, pops []POP, groups []Group) []Option {
	byCode := make(map[string]model, len(models))
	for _, m := range models {
		byCode[m.pop.Code] = m
	}
	var warmed []model
	row := Option{Kind: OptionPlan, Name: string(OptionPlan), KeepAlive: stats.Seconds(pl.cfg.TargetKeepAlive), MeetsTarget: true,
		About: "this plan: in each region the cheapest Lambda at the target keep-alive that meets --target-cold"}
	var cold, reqs, removed float64
	for _, pop := range pops {
		if !pop.Warm {
			continue
		}
		warmed = append(warmed, byCode[pop.Code])
		cold += pop.Cold.Prewarmed * float64(pop.Requests)
		reqs += float64(pop.Requests)
		removed += pop.RemovedPerDay.Float()
		row.WorstCold = max(row.WorstCold, pop.Cold.Prewarmed)
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
	out := []Option{row}

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
	return out
}
