package plan

import (
	"cmp"
	"fmt"
	"slices"
)

// candidate is a POP in the selection: its model, its prewarm alone on the
// first option the plan may choose (the CloudFront part of the cost only),
// and why it is not warmed whatever it costs ("" when it may be).
type candidate struct {
	m    model
	own  prewarm
	fail string
}

// choose picks the POPs to warm and says of every POP, in words, why it is
// or is not warmed. A POP passes the thresholds that do not depend on the
// cost (threshold) alone on the first option; those that pass are taken
// best gain per day first, at most --max-pops of them, and grouped into
// one Lambda per region, each on the cheapest option that meets
// --target-cold (lambda). Each must reach --min-gain-per-dollar at the
// cost it is reported with: its own lines and its share of its region's
// Lambda. One below it leaves the plan, which changes its region's Lambda
// and the others' shares, so the Lambdas are formed again until every POP
// in the plan passes. Then every POP is written once: a POP in the plan
// with its Lambda's prewarm, a POP dropped by --min-gain-per-dollar with
// the one it failed with, any other as if it joined its region's Lambda
// (so that its cost and gain per dollar say what warming it would take),
// or alone when it has no region. The POPs come back best first (those
// to warm ranked first), with the codes of those that pass every threshold
// but the cost ones (--min-gain-per-dollar, --max-pops).
func (pl planner) choose(models []model) ([]POP, []Group, map[string]bool) {
	first := pl.firstChoosable()
	cands := make([]candidate, len(models))
	for i, m := range models {
		n, _ := pl.need(m, first)
		own := pl.price(m, n, first)
		cands[i] = candidate{m: m, own: own, fail: pl.threshold(m, own)}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return bestFirst(a.fail == "", b.fail == "", a.own.gainPerDay, b.own.gainPerDay, a.m.pop.Code, b.m.pop.Code)
	})

	dropped := map[int]prewarm{} // the prewarm a POP failed --min-gain-per-dollar with
	var chosen []int
	var groups []Group
	var priced map[int]prewarm
	for {
		chosen = chosen[:0]
		for i, c := range cands {
			_, out := dropped[i]
			if c.fail == "" && !out && (pl.cfg.MaxPOPs == 0 || len(chosen) < pl.cfg.MaxPOPs) {
				chosen = append(chosen, i)
			}
		}
		groups, priced = pl.lambdas(cands, chosen)
		again := false
		for _, i := range chosen {
			if v := priced[i]; v.gainPerDollar < pl.cfg.MinGainPerDollar {
				dropped[i] = v
				again = true
			}
		}
		if !again {
			break
		}
	}

	type ranked struct {
		pop  POP
		gain float64
	}
	out := make([]ranked, len(cands))
	for i, c := range cands {
		v, in := priced[i]
		failed, isDropped := dropped[i]
		var why string
		switch {
		case in:
			why = pl.warmedWhy(c.m, v)
		case isDropped:
			v = failed
			why = pl.notWorthWhy(v)
		case c.fail == "":
			v = pl.alongside(cands, chosen, i)
			why = fmt.Sprintf("not warmed: beyond --max-pops %d (it would remove %s of waiting a day)", pl.cfg.MaxPOPs, words(v.gainPerDay))
		default:
			v = pl.alongside(cands, chosen, i)
			why = c.fail
		}
		pop := c.m.with(v)
		pop.Warm, pop.Why = in, why
		out[i] = ranked{pop, v.gainPerDay}
	}
	slices.SortStableFunc(out, func(a, b ranked) int {
		return bestFirst(a.pop.Warm, b.pop.Warm, a.gain, b.gain, a.pop.Code, b.pop.Code)
	})
	pops := make([]POP, len(out))
	for i, r := range out {
		pops[i] = r.pop
		if r.pop.Warm {
			pops[i].Rank = i + 1
		}
	}
	passing := map[string]bool{}
	for _, c := range cands {
		if c.fail == "" {
			passing[c.m.pop.Code] = true
		}
	}
	return pops, groups, passing
}

// firstChoosable is the first option the plan may choose: the aligned
// Lambda with one wave per keep-alive − margin.
func (pl planner) firstChoosable() option {
	for _, o := range pl.opts {
		if o.choosable {
			return o
		}
	}
	return pl.opts[0]
}

// bestFirst orders POPs: those in (or passing) first, then by gain per day,
// the largest first, then by code.
func bestFirst(inA, inB bool, gainA, gainB float64, codeA, codeB string) int {
	if inA != inB {
		if inA {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(gainB, gainA); c != 0 {
		return c
	}
	return cmp.Compare(codeA, codeB)
}

// threshold says, in words, why a POP is not warmed whatever it costs, or
// "": no region (no price), no penalty, keep-alive alone already meets
// --target-cold, keep-alive alone leaves it below --min-cold, or
// prewarming gains too little (--min-gain).
func (pl planner) threshold(m model, own prewarm) string {
	cfg := pl.cfg
	alone := m.pop.Cold.KeepAlive
	switch {
	case m.pop.Region == "":
		return fmt.Sprintf("not warmed: airport %q is not in the POP table (plan/regions.csv), so it has no region or price", airport(m.pop.Code))
	case m.penalty <= 0:
		return "not warmed: its logs cannot tell what a cold request costs (give --origin-rtt)"
	case alone <= cfg.TargetCold:
		return fmt.Sprintf("not warmed: the %v keep-alive alone leaves %s of its requests cold, within --target-cold %s", cfg.TargetKeepAlive, percent(alone), percent(cfg.TargetCold))
	case alone < cfg.MinCold:
		return fmt.Sprintf("not warmed: the %v keep-alive alone leaves %s of its requests cold, below --min-cold %s (within the model's error)", cfg.TargetKeepAlive, percent(alone), percent(cfg.MinCold))
	case own.gainPerDay < cfg.MinGain.Seconds():
		return fmt.Sprintf("not warmed: prewarming would remove %s of waiting a day, below --min-gain %v", words(own.gainPerDay), cfg.MinGain)
	}
	return ""
}

// warmedWhy says why a POP in the plan is warmed: what it removes, for what.
func (pl planner) warmedWhy(m model, v prewarm) string {
	s := fmt.Sprintf("warmed: removes %s of waiting a day (cold %s → %s) for %s a month, %.0f s per dollar (at least %s)",
		words(v.gainPerDay), percent(m.pop.Cold.KeepAlive), percent(v.coldShare), pl.money(v.cost.Total), v.gainPerDollar, pl.perDollarWords())
	if v.coldShare > pl.cfg.TargetCold*(1+1e-9) {
		s += fmt.Sprintf("; its Lambda's waves leave %s cold, above --target-cold %s", percent(v.coldShare), percent(pl.cfg.TargetCold))
	}
	return s
}

// notWorthWhy says why a POP that passes every other threshold is not
// warmed: its waiting removed per dollar.
func (pl planner) notWorthWhy(v prewarm) string {
	return fmt.Sprintf("not warmed: prewarming would remove %s of waiting a day for %s a month, %.0f s per dollar, below %s",
		words(v.gainPerDay), pl.money(v.cost.Total), v.gainPerDollar, pl.perDollarWords())
}

// perDollarWords is --min-gain-per-dollar in words, with the price of an
// hour of waiting it stands for.
func (pl planner) perDollarWords() string {
	s := fmt.Sprintf("--min-gain-per-dollar %g", pl.cfg.MinGainPerDollar)
	if pl.cfg.MinGainPerDollar > 0 {
		s += fmt.Sprintf(": %s per hour of waiting removed", pl.money(3600/pl.cfg.MinGainPerDollar))
	}
	return s
}

// money writes an amount in the prices' currency.
func (pl planner) money(v float64) string { return Money(pl.cfg.Prices.Currency, v) }

// Money writes an amount in a currency: $3.10 for USD (or none), else
// 3.10 EUR.
func Money(currency string, v float64) string {
	if currency != "" && currency != "USD" {
		return fmt.Sprintf("%.2f %s", v, currency)
	}
	return fmt.Sprintf("$%.2f", v)
}

// words writes seconds of waiting short: 42 s, 12.3 min, 2.1 h.
func words(s float64) string {
	switch {
	case s < 100:
		return fmt.Sprintf("%.1f s", s)
	case s < 6000:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// percent writes a share as a percentage with two decimals.
func percent(share float64) string { return fmt.Sprintf("%.2f%%", 100*share) }

// airport is the airport code a POP code starts with.
func airport(code string) string { return code[:min(3, len(code))] }

// lambdas forms the Lambdas of the candidates chosen (one per region) and
// returns them with each chosen candidate's prewarm.
func (pl planner) lambdas(cands []candidate, chosen []int) ([]Group, map[int]prewarm) {
	var groups []Group
	priced := map[int]prewarm{}
	for _, r := range byRegion(chosen, func(i int) string { return cands[i].m.pop.Region }) {
		ms := make([]model, len(r.items))
		for k, i := range r.items {
			ms[k] = cands[i].m
		}
		g, vs := pl.lambda(r.name, ms)
		groups = append(groups, g)
		for k, i := range r.items {
			priced[i] = vs[k]
		}
	}
	return groups, priced
}

// alongside is the prewarm of candidate i, not in the plan, as if it joined
// the plan's Lambda of its region (or had one of its own); alone on the
// first option when it has no region.
func (pl planner) alongside(cands []candidate, chosen []int, i int) prewarm {
	c := cands[i]
	if c.m.pop.Region == "" {
		return c.own
	}
	ms := []model{c.m}
	for _, j := range chosen {
		if cands[j].m.pop.Region == c.m.pop.Region {
			ms = append(ms, cands[j].m)
		}
	}
	_, vs := pl.lambda(c.m.pop.Region, ms)
	return vs[0]
}
