package plan

import (
	"cmp"
	"fmt"
	"slices"
)

// candidate is a POP in the selection: its model, its prewarm at its own
// requests per wave (the CloudFront part of the cost only), and why it
// fails a threshold that does not depend on the cost ("" when it passes).
type candidate struct {
	m    model
	own  prewarm
	fail string
}

// choose picks the POPs to warm and says of every POP what warming it
// takes. A POP passes the thresholds (threshold) at its own requests per
// wave; those that pass are taken best gain per day first, at most
// --max-pops of them, and grouped into one Lambda per region; each must
// reach --min-gain-per-dollar at the cost it is reported with, its share of
// its region's Lambda. One below it leaves the plan, which changes its
// region's Lambda and the others' shares, so the Lambdas are formed again
// until every POP in the plan passes. Then every POP is written once: a POP
// in the plan with its Lambda's prewarm, a POP dropped by
// --min-gain-per-dollar with the one it failed with, any other as if it
// joined its region's Lambda (so that its cost and gain per dollar say what
// warming it would take), or at its own requests when it has no region.
// The POPs come back best first (those to warm ranked first).
func (pl planner) choose(models []model) ([]POP, []Group) {
	cands := make([]candidate, len(models))
	for i, m := range models {
		own := pl.price(m, pl.requests(m), pl.timing)
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
			why = fmt.Sprintf("removes %.1f s of waiting a day (%.0f s per dollar)", seconds(v.gainPerDay).Float(), v.gainPerDollar)
		case isDropped:
			v = failed
			why = fmt.Sprintf("gain %.0f s per dollar below --min-gain-per-dollar %g", v.gainPerDollar, pl.cfg.MinGainPerDollar)
		case c.fail == "":
			v = pl.alongside(cands, chosen, i)
			why = fmt.Sprintf("beyond --max-pops %d", pl.cfg.MaxPOPs)
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
	return pops, groups
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

// threshold says why a POP is not warmed whatever it costs, or "": no
// region (no price), no penalty, keep-alive alone keeps it warm
// (--min-cold), or prewarming gains too little (--min-gain).
func (pl planner) threshold(m model, own prewarm) string {
	cfg := pl.cfg
	switch {
	case m.pop.Region == "":
		return "unknown airport: no region or price"
	case m.penalty <= 0:
		return "cold penalty unknown: give --origin-rtt"
	case m.pop.Cold.KeepAlive < cfg.MinCold:
		return fmt.Sprintf("keep-alive alone keeps it warm (cold %.2f%% < --min-cold %g%%)", 100*m.pop.Cold.KeepAlive, 100*cfg.MinCold)
	case own.gainPerDay < cfg.MinGain.Seconds():
		return fmt.Sprintf("gain %.1f s/day below --min-gain %v", own.gainPerDay, cfg.MinGain)
	}
	return ""
}

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
		g, vs := pl.group(r.name, ms)
		groups = append(groups, g)
		for k, i := range r.items {
			priced[i] = vs[k]
		}
	}
	return groups, priced
}

// alongside is the prewarm of candidate i, not in the plan, as if it joined
// the plan's Lambda of its region (or had one of its own); at its own
// requests per wave when it has no region.
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
	_, vs := pl.group(c.m.pop.Region, ms)
	return vs[0]
}
