package plan

import "cmp"

// optionSpec is one way of prewarming the plan's POPs that compare prices.
type optionSpec struct {
	kind     OptionKind
	about    string
	timing   timing
	requests int  // per POP per wave; 0: as planned
	lambda   bool // sent by one Lambda per region, whose cost counts
}

// options are the plan beside a daemon sending its requests, the seed's 60
// requests a minute and today's defaults.
func (pl planner) options() []optionSpec {
	cfg := pl.cfg
	k := cfg.TargetKeepAlive
	return []optionSpec{
		{OptionPlan, "this plan: the Lambda in each region", pl.timing, 0, true},
		{OptionDaemon, "this plan's requests from `cfprewarm warm --every` (no scheduler jitter; the host's cost not counted)",
			newTiming(daemon(k, cfg.Margin), k), 0, false},
		{OptionSeed, "the seed: 60 requests per POP once a minute",
			newTiming(Schedule{Waves: 1, Interval: DefaultsInterval, Period: cfg.Period, Jitter: cfg.Jitter}, k), SeedRequests, true},
		{OptionDefaults, "today's defaults: 3 waves of 60 requests, 20 s apart, every minute",
			newTiming(Schedule{Waves: DefaultsWaves, Interval: DefaultsInterval, Period: cfg.Period, Jitter: cfg.Jitter}, k), DefaultsRequests, true},
	}
}

// compare prices the POPs the plan warms under each option, with the
// plan's own pricing (price) and Lambdas (one per region, byRegion).
func (pl planner) compare(models []model, pops []POP) []Option {
	byCode := make(map[string]model, len(models))
	for _, m := range models {
		byCode[m.pop.Code] = m
	}
	type load struct {
		region   string
		requests int
	}
	var out []Option
	for _, spec := range pl.options() {
		o := Option{Kind: spec.kind, About: spec.about, RequestsPerWave: spec.requests, Schedule: spec.timing.Schedule}
		var cold, reqs, removed float64
		var loads []load
		for _, pop := range pops {
			if !pop.Warm {
				continue
			}
			n := cmp.Or(spec.requests, pop.RequestsPerWave)
			v := pl.price(byCode[pop.Code], n, spec.timing)
			cold += v.cold
			reqs += float64(pop.Requests)
			removed += v.removedPerDay
			o.Cost.Requests += v.cost.Requests
			o.Cost.CloudFront += v.cost.CloudFront
			loads = append(loads, load{pop.Region, n})
		}
		if spec.lambda {
			for _, r := range byRegion(loads, func(l load) string { return l.region }) {
				perPOP := 0
				for _, l := range r.items {
					perPOP = max(perPOP, l.requests)
				}
				_, c := pl.lambdaCost(spec.timing.Schedule, perPOP*len(r.items))
				o.Cost.Lambda += c.Lambda
			}
		}
		o.Cost.Total = o.Cost.CloudFront + o.Cost.Lambda
		if reqs > 0 {
			o.ColdShare = cold / reqs
		}
		o.RemovedPerDay = seconds(removed)
		out = append(out, o)
	}
	return out
}
