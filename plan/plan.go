package plan

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// SchemaVersion is the version of the plan's JSON form.
const SchemaVersion = 1

// Cold is a POP's expected share of requests that find no warm origin
// connection: (a) as configured today, (b) with the target keep-alive
// alone, (c) with the target keep-alive and the plan's prewarming.
type Cold struct {
	Current   float64 `json:"current"`
	KeepAlive float64 `json:"keepalive"`
	Prewarmed float64 `json:"prewarmed"`
}

// Latency is a POP's expected mean time-to-first-byte in seconds in the
// three cases of Cold: the warm time plus the cold share times the
// penalty. Zero when the penalty is unknown.
type Latency struct {
	Current   float64 `json:"current_s"`
	KeepAlive float64 `json:"keepalive_s"`
	Prewarmed float64 `json:"prewarmed_s"`
}

// Gaps says how long before each request the POP's previous request came:
// shares of the requests (the first one left out).
type Gaps struct {
	SameSecond float64 `json:"same_second"`
	UpTo5s     float64 `json:"1s_5s"`
	UpTo60s    float64 `json:"5s_60s"`
	UpTo5m     float64 `json:"60s_5m"`
	Longer     float64 `json:"over_5m"`
	MedianS    float64 `json:"median_s"`
}

// Cost is a monthly cost (30 days), in the prices' currency.
type Cost struct {
	Requests   float64 `json:"requests"` // prewarm requests per month
	CloudFront float64 `json:"cloudfront"`
	Lambda     float64 `json:"lambda"`
	Total      float64 `json:"total"`
}

func (c *Cost) add(o Cost) {
	c.Requests += o.Requests
	c.CloudFront += o.CloudFront
	c.Lambda += o.Lambda
	c.Total += o.Total
}

// POP is everything the plan says about one POP.
type POP struct {
	Code      string  `json:"pop"`
	City      string  `json:"city,omitempty"`
	Region    string  `json:"region,omitempty"`    // of its prewarm Lambda
	Geography string  `json:"geography,omitempty"` // of its request price
	Price     float64 `json:"price_per_10000"`
	Hosts     int     `json:"hosts"`
	HostsFrom string  `json:"hosts_from"` // "hosts-file" or "default"

	Requests       int64   `json:"requests"`
	ActiveHours    int     `json:"active_hours"`
	RequestsPerDay float64 `json:"requests_per_day"`
	RatePerHour    float64 `json:"requests_per_active_hour"`
	Gaps           Gaps    `json:"gaps"`

	TTFBMean float64 `json:"ttfb_mean_s"`
	TTFBP50  float64 `json:"ttfb_p50_s"` // 0 when unknown (a counts file)
	TTFBP90  float64 `json:"ttfb_p90_s"`

	// Penalty is a cold request's extra time-to-first-byte, in seconds;
	// PenaltyFrom says how it was found: "logs" (this POP's), "pooled"
	// (all POPs' logs), "origin-rtt" (2 × --origin-rtt) or "" (unknown).
	Penalty     float64 `json:"cold_penalty_s"`
	PenaltyFrom string  `json:"cold_penalty_from"`

	Cold    Cold    `json:"cold"`
	Latency Latency `json:"latency"`
	// Removed is the waiting removed per request and per day, (a) → (c);
	// Gain the part prewarming adds to keep-alive alone per day, (b) → (c),
	// the selection's measure.
	RemovedPerRequest float64 `json:"removed_per_request_s"`
	RemovedPerDay     float64 `json:"removed_per_day_s"`
	GainPerDay        float64 `json:"prewarm_gain_per_day_s"`
	GainPerDollar     float64 `json:"prewarm_gain_per_dollar_s"`

	RequestsPerWave int     `json:"requests_per_wave"`
	Coverage        float64 `json:"coverage"` // of one wave
	Cost            Cost    `json:"cost"`

	Warm bool   `json:"warm"`
	Why  string `json:"why"` // why it is, or is not, in the plan
	Rank int    `json:"rank,omitempty"`

	secs  []second
	coldB float64 // expected cold requests with the target keep-alive alone
	base  float64 // warm time-to-first-byte
}

// Group is one prewarm Lambda: the POPs of one AWS region.
type Group struct {
	Region          string   `json:"region"`
	POPs            []string `json:"pops"`
	RequestsPerWave int      `json:"requests_per_pop"`
	InvocationS     float64  `json:"invocation_s"` // billed duration of one invocation
	Cost            Cost     `json:"cost"`
}

// Option is one way of prewarming the plan's POPs, for comparison.
type Option struct {
	Name            string   `json:"name"` // plan, daemon, seed, defaults
	About           string   `json:"about"`
	RequestsPerWave int      `json:"requests_per_pop"` // 0: per POP, as planned
	Schedule        Schedule `json:"schedule"`
	IntervalS       float64  `json:"-"` // Schedule's, for reporters
	MaxGapS         float64  `json:"-"`
	Cost            Cost     `json:"cost"`
	ColdShare       float64  `json:"cold_share"`        // expected, over the plan's POPs' requests
	RemovedPerDay   float64  `json:"removed_per_day_s"` // from today's
}

// Plan is the planner's result.
type Plan struct {
	Source       string    `json:"source"` // logs or counts
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Days         float64   `json:"days"`
	Requests     int64     `json:"requests"`
	KeepAliveS   float64   `json:"keepalive_s"`
	TargetS      float64   `json:"target_keepalive_s"`
	Coverage     float64   `json:"coverage_target"`
	Hosts        int       `json:"default_hosts"`
	MemoryMiB    int       `json:"lambda_memory_mib"`
	CPUPerReqS   float64   `json:"cpu_per_request_s"`
	PooledS      float64   `json:"pooled_penalty_s"`
	PricesDate   string    `json:"prices_date"`
	Currency     string    `json:"currency"`
	Schedule     Schedule  `json:"schedule"`
	IntervalS    float64   `json:"wave_interval_s"`
	MaxGapS      float64   `json:"max_gap_s"`
	POPs         []POP     `json:"pops"`
	Groups       []Group   `json:"groups"`
	Options      []Option  `json:"options"`
	Warnings     []string  `json:"warnings,omitempty"`
	MinGainS     float64   `json:"min_gain_per_day_s"`
	MinPerDollar float64   `json:"min_gain_per_dollar_s"`
	MinCold      float64   `json:"min_cold"`
}

// Selected returns the POPs the plan warms, best first.
func (p Plan) Selected() []POP {
	var out []POP
	for _, pop := range p.POPs {
		if pop.Warm {
			out = append(out, pop)
		}
	}
	return out
}

// Make plans from the counts: the model per POP, the selection, the
// schedule, the groups by region and the costs, with the seed's and the
// current defaults' schedules beside it.
func Make(c *Counts, cfg Config) (Plan, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Plan{}, err
	}
	if _, _, ok := c.Span(); !ok {
		return Plan{}, fmt.Errorf("plan: no requests to plan from")
	}
	sched, err := cadence(cfg.TargetKeepAlive, cfg.Margin, cfg.Period, cfg.jitter(), MaxWaves)
	if err != nil {
		return Plan{}, fmt.Errorf("plan: %w", err)
	}
	from, to := time.Unix(c.first, 0).UTC(), time.Unix(c.last+1, 0).UTC()
	if !cfg.From.IsZero() {
		from = cfg.From
	}
	if !cfg.To.IsZero() {
		to = cfg.To
	}
	days := to.Sub(from).Hours() / 24
	p := Plan{
		Source: "logs", From: from, To: to, Days: days,
		KeepAliveS: cfg.KeepAlive.Seconds(), TargetS: cfg.TargetKeepAlive.Seconds(), Coverage: cfg.Coverage,
		Hosts: cfg.Hosts, MemoryMiB: cfg.MemoryMiB, CPUPerReqS: cfg.CPUPerRequest.Seconds(),
		PricesDate: cfg.Prices.Date, Currency: cfg.Prices.Currency,
		Schedule: sched, IntervalS: sched.Interval.Seconds(), MaxGapS: sched.MaxGap().Seconds(),
		MinGainS: max(cfg.MinGain, 0).Seconds(), MinPerDollar: cfg.MinGainPerDollar, MinCold: max(cfg.MinCold, 0),
	}
	if !c.fromLogs {
		p.Source = "counts"
	}
	dist := sched.windowWaves(cfg.TargetKeepAlive)

	// The model per POP, and the fits of the cold penalty.
	var pooledSxx, pooledSxy, pooledSyy float64
	var pooledN, pooledK int64
	fits := map[string]penaltyFit{}
	for _, code := range c.POPs() {
		s := c.pops[code]
		pop := analyze(code, s, cfg, days)
		p.Requests += pop.Requests
		coldA := expectedCold(pop.secs, cfg.KeepAlive.Seconds(), pop.Hosts)
		coldB := expectedCold(pop.secs, cfg.TargetKeepAlive.Seconds(), pop.Hosts)
		var f penaltyFit
		var sumA, sumB float64
		for i, sec := range pop.secs {
			sumA += coldA[i]
			sumB += coldB[i]
			if sec.ttfbN > 0 {
				f.add(coldA[i]/float64(sec.n), float64(sec.ttfbUS)/float64(sec.ttfbN)/1e6, float64(sec.ttfbN))
			}
		}
		fits[code] = f
		if f.sw > 0 {
			sxx, sxy, syy := f.centered()
			pooledSxx, pooledSxy, pooledSyy = pooledSxx+sxx, pooledSxy+sxy, pooledSyy+syy
			pooledN += f.n
			pooledK += f.k - 1 // one mean per POP taken out
		}
		n := float64(pop.Requests)
		pop.Cold.Current, pop.Cold.KeepAlive = sumA/n, sumB/n
		pop.coldB = sumB
		pop.RequestsPerWave = min(requestsFor(pop.Hosts, cfg.Coverage), MaxRequestsPerWave)
		if w := cfg.HostsByPOP[code].Warning(); w != "" && pop.HostsFrom == "hosts-file" {
			p.Warnings = append(p.Warnings, w)
		}
		p.POPs = append(p.POPs, pop)
	}
	if pooledSxx > 1e-12 && pooledK > 2 {
		if slope := pooledSxy / pooledSxx; trusted(slope, slopeError(pooledSxx, pooledSxy, pooledSyy, pooledK), pooledN) {
			p.PooledS = slope
		}
	}

	// Penalty, latencies, gains and costs per POP; then the selection.
	for i := range p.POPs {
		pop := &p.POPs[i]
		f := fits[pop.Code]
		slope, _, se, ok := f.solve()
		switch {
		case ok && trusted(slope, se, f.n):
			pop.Penalty, pop.PenaltyFrom = slope, "logs"
		case cfg.OriginRTT > 0:
			pop.Penalty, pop.PenaltyFrom = 2*cfg.OriginRTT.Seconds(), "origin-rtt"
		case p.PooledS > 0:
			pop.Penalty, pop.PenaltyFrom = p.PooledS, "pooled"
		}
		if f.sw > 0 {
			pop.TTFBMean = f.sy / f.sw
			pop.base = max(pop.TTFBMean-pop.Cold.Current*pop.Penalty, 0)
		}
		p.setPrewarm(pop, pop.RequestsPerWave, sched, dist, cfg)
		pop.Why = p.select1(pop, cfg)
	}
	p.choose(sched, dist, cfg)
	p.compare(sched, cfg)
	for _, pop := range p.POPs {
		if pop.Region == "" {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s: airport %q is not in the POP table (plan/regions.csv): no region or price; not planned", pop.Code, pop.Code[:3]))
		}
	}
	return p, nil
}

// analyze fills what the logs say of a POP before the model.
func analyze(code string, s *series, cfg Config, days float64) POP {
	pop := POP{Code: code, Hosts: cfg.Hosts, HostsFrom: "default", secs: s.seconds()}
	if e, ok := cfg.HostsByPOP[code]; ok {
		pop.Hosts, pop.HostsFrom = e.Hosts, "hosts-file"
	}
	if a, ok := LookupPOP(code); ok && cloudfront.ValidPOPCode(code) {
		pop.City, pop.Region, pop.Geography = a.City, a.Region, a.Geography
		pop.Price = cfg.Prices.CloudFrontPer10000[a.Geography]
	}
	hours := map[int64]bool{}
	var gaps []int64 // per request, seconds since the previous one
	var prev int64 = math.MinInt64
	for _, sec := range pop.secs {
		pop.Requests += int64(sec.n)
		hours[floorDiv(sec.unix, 3600)] = true
		if prev != math.MinInt64 {
			gaps = append(gaps, sec.unix-prev)
		}
		for range sec.n - 1 {
			gaps = append(gaps, 0)
		}
		prev = sec.unix
	}
	pop.ActiveHours = len(hours)
	if days > 0 {
		pop.RequestsPerDay = float64(pop.Requests) / days
	}
	if pop.ActiveHours > 0 {
		pop.RatePerHour = float64(pop.Requests) / float64(pop.ActiveHours)
	}
	if n := float64(len(gaps)); n > 0 {
		for _, g := range gaps {
			switch {
			case g == 0:
				pop.Gaps.SameSecond++
			case g <= 5:
				pop.Gaps.UpTo5s++
			case g <= 60:
				pop.Gaps.UpTo60s++
			case g <= 300:
				pop.Gaps.UpTo5m++
			default:
				pop.Gaps.Longer++
			}
		}
		pop.Gaps.SameSecond /= n
		pop.Gaps.UpTo5s /= n
		pop.Gaps.UpTo60s /= n
		pop.Gaps.UpTo5m /= n
		pop.Gaps.Longer /= n
		slices.Sort(gaps)
		pop.Gaps.MedianS = float64(gaps[len(gaps)/2])
	}
	if s.hist != nil {
		pop.TTFBP50 = s.hist.quantile(0.5).Seconds()
		pop.TTFBP90 = s.hist.quantile(0.9).Seconds()
	}
	return pop
}

// setPrewarm sets a POP's prewarm: n requests per wave on the schedule,
// the cold share and latency that follow, the gains and the CloudFront
// part of the cost (priceGroup adds the POP's share of its Lambda).
func (p *Plan) setPrewarm(pop *POP, n int, s Schedule, dist []float64, cfg Config) {
	pop.RequestsPerWave = n
	pop.Coverage = coverage(pop.Hosts, n)
	req := float64(pop.Requests)
	pop.Cold.Prewarmed = pop.coldB * coldFactor(dist, pop.Hosts, n) / req
	if pop.Penalty > 0 {
		pop.Latency = Latency{
			Current:   pop.base + pop.Cold.Current*pop.Penalty,
			KeepAlive: pop.base + pop.Cold.KeepAlive*pop.Penalty,
			Prewarmed: pop.base + pop.Cold.Prewarmed*pop.Penalty,
		}
		pop.RemovedPerRequest = pop.Penalty * (pop.Cold.Current - pop.Cold.Prewarmed)
		pop.RemovedPerDay = pop.RemovedPerRequest * pop.RequestsPerDay
		pop.GainPerDay = pop.Penalty * (pop.Cold.KeepAlive - pop.Cold.Prewarmed) * pop.RequestsPerDay
	}
	pop.Cost, pop.GainPerDollar = Cost{}, 0
	if pop.Region == "" {
		return // not planned: no price
	}
	perMonth := float64(n) * s.WavesPerMonth()
	pop.Cost = Cost{Requests: perMonth, CloudFront: perMonth / 1e4 * pop.Price, Total: perMonth / 1e4 * pop.Price}
}

// waveNetwork is the time a wave waits for the network beyond its CPU:
// the slowest request's round trips (docs/plan.md).
const waveNetwork = time.Second

// select1 says whether a POP passes the thresholds that do not depend on
// the cost (Warm), and why not. The gain per dollar is judged by choose,
// on the POP's share of its region's Lambda.
func (p *Plan) select1(pop *POP, cfg Config) string {
	switch {
	case pop.Region == "":
		return "unknown airport: no region or price"
	case pop.Penalty <= 0:
		return "cold penalty unknown: give --origin-rtt"
	case cfg.MinCold != NoMinCold && pop.Cold.KeepAlive < cfg.MinCold:
		return fmt.Sprintf("keep-alive alone keeps it warm (cold %.2f%% < --min-cold %g%%)", 100*pop.Cold.KeepAlive, 100*cfg.MinCold)
	case cfg.MinGain != NoMinGain && pop.GainPerDay < cfg.MinGain.Seconds():
		return fmt.Sprintf("gain %.1f s/day below --min-gain %v", pop.GainPerDay, cfg.MinGain)
	}
	pop.Warm = true
	return ""
}

// choose picks the POPs to warm among those select1 passed, the best
// gain per day first: at most --max-pops of them, grouped into one Lambda
// per region (priceGroup), each with a gain per dollar of at least
// --min-gain-per-dollar at the cost it is reported with, its share of its
// region's Lambda. A POP below it leaves the plan, which changes its
// region's Lambda and the others' shares: the groups are formed again
// until every POP in the plan passes. A POP not in the plan is priced as
// if it joined its region's Lambda, so that its cost and gain per dollar
// say what warming it would take.
func (p *Plan) choose(s Schedule, dist []float64, cfg Config) {
	p.sortPOPs()
	dropped := map[string]bool{}
	var chosen []int
	for {
		chosen = chosen[:0]
		for i, pop := range p.POPs {
			if pop.Warm && !dropped[pop.Code] && (cfg.MaxPOPs == 0 || len(chosen) < cfg.MaxPOPs) {
				chosen = append(chosen, i)
			}
		}
		p.Groups = p.group(chosen, s, dist, cfg)
		again := false
		for _, i := range chosen {
			if pop := &p.POPs[i]; pop.GainPerDollar < cfg.MinGainPerDollar {
				dropped[pop.Code] = true
				pop.Why = fmt.Sprintf("gain %.0f s per dollar below --min-gain-per-dollar %g", pop.GainPerDollar, cfg.MinGainPerDollar)
				again = true
			}
		}
		if !again {
			break
		}
	}
	in := map[string]bool{}
	for _, i := range chosen {
		in[p.POPs[i].Code] = true
	}
	for i := range p.POPs {
		pop := &p.POPs[i]
		switch {
		case in[pop.Code]:
			pop.Why = fmt.Sprintf("removes %.1f s of waiting a day (%.0f s per dollar)", pop.GainPerDay, pop.GainPerDollar)
		case pop.Warm && !dropped[pop.Code]:
			pop.Why = fmt.Sprintf("beyond --max-pops %d", cfg.MaxPOPs)
		}
		pop.Warm = in[pop.Code]
	}
	for i, pop := range p.POPs {
		if !pop.Warm && !dropped[pop.Code] {
			p.priceAlongside(i, s, dist, cfg) // a dropped POP keeps the price it failed with
		}
	}
	p.sortPOPs()
	n := 0
	for i := range p.POPs {
		if p.POPs[i].Warm {
			n++
			p.POPs[i].Rank = n
		}
	}
}

// sortPOPs orders the POPs: those to warm first, by gain per day, then the
// others by gain.
func (p *Plan) sortPOPs() {
	sort.SliceStable(p.POPs, func(i, j int) bool {
		a, b := p.POPs[i], p.POPs[j]
		if a.Warm != b.Warm {
			return a.Warm
		}
		if c := cmp.Compare(b.GainPerDay, a.GainPerDay); c != 0 {
			return c < 0
		}
		return a.Code < b.Code
	})
}

// group puts the POPs idx into one Lambda per region and prices them.
func (p *Plan) group(idx []int, s Schedule, dist []float64, cfg Config) []Group {
	byRegion := map[string][]int{}
	for _, i := range idx {
		byRegion[p.POPs[i].Region] = append(byRegion[p.POPs[i].Region], i)
	}
	var out []Group
	for _, region := range sortedKeys(byRegion) {
		out = append(out, p.priceGroup(region, byRegion[region], s, dist, cfg))
	}
	return out
}

// priceGroup prices the POPs idx of one region as one Lambda. One Lambda
// sends one number of requests to each of its POPs: the largest any of
// them needs. Its cost is the invocations and the billed duration (the
// waits between waves included), shared by its POPs in proportion to
// their requests, which, each being sent the same number, is equally.
func (p *Plan) priceGroup(region string, idx []int, s Schedule, dist []float64, cfg Config) Group {
	g := Group{Region: region}
	for _, i := range idx {
		g.POPs = append(g.POPs, p.POPs[i].Code)
		g.RequestsPerWave = max(g.RequestsPerWave, requestsFor(p.POPs[i].Hosts, cfg.Coverage))
	}
	g.RequestsPerWave = min(g.RequestsPerWave, MaxRequestsPerWave)
	g.InvocationS, g.Cost = lambdaCost(s, g.RequestsPerWave*len(idx), cfg)
	for _, i := range idx {
		pop := &p.POPs[i]
		p.setPrewarm(pop, g.RequestsPerWave, s, dist, cfg)
		pop.Cost.Lambda = g.Cost.Lambda / float64(len(idx))
		pop.Cost.Total = pop.Cost.CloudFront + pop.Cost.Lambda
		if pop.Cost.Total > 0 {
			pop.GainPerDollar = pop.GainPerDay * 30 / pop.Cost.Total
		}
		g.Cost.CloudFront += pop.Cost.CloudFront
		g.Cost.Requests += pop.Cost.Requests
	}
	g.Cost.Total = g.Cost.CloudFront + g.Cost.Lambda
	return g
}

// priceAlongside prices a POP that is not in the plan as if it joined the
// plan's Lambda of its region (or had one of its own).
func (p *Plan) priceAlongside(i int, s Schedule, dist []float64, cfg Config) {
	region := p.POPs[i].Region
	if region == "" {
		return
	}
	idx := []int{i}
	for j, pop := range p.POPs {
		if pop.Warm && pop.Region == region && j != i {
			idx = append(idx, j)
		}
	}
	// Price on copies: only POP i takes the result.
	saved := make([]POP, len(idx))
	for k, j := range idx {
		saved[k] = p.POPs[j]
	}
	p.priceGroup(region, idx, s, dist, cfg)
	for k, j := range idx[1:] {
		p.POPs[j] = saved[k+1]
	}
}

// vcpu is the CPU a Lambda gets: one vCPU at 1,769 MB, in proportion below.
func vcpu(mem int) float64 { return min(float64(mem)/1769, 6) }

// lambdaCost is the billed duration of one invocation sending
// perWave requests in each of s.Waves waves, and the Lambda's monthly cost.
func lambdaCost(s Schedule, perWave int, cfg Config) (float64, Cost) {
	wave := float64(perWave)*cfg.CPUPerRequest.Seconds()/vcpu(cfg.MemoryMiB) + waveNetwork.Seconds()
	inv := float64(s.Waves-1)*s.Interval.Seconds() + wave
	invocations := s.WavesPerMonth() / float64(s.Waves)
	gbs := inv * float64(cfg.MemoryMiB) / 1024 * invocations
	c := Cost{Lambda: gbs*cfg.Prices.LambdaGBSecond + invocations/1e6*cfg.Prices.LambdaPerMillion}
	c.Total = c.Lambda
	return inv, c
}

// compare prices the plan's POPs under the plan, a daemon, the seed's
// 60 requests a minute and today's defaults.
func (p *Plan) compare(s Schedule, cfg Config) {
	sel := p.Selected()
	jit := cfg.jitter()
	options := []struct {
		o Option
		n int
	}{
		{Option{Name: "plan", About: "this plan: the Lambda in each region"}, 0},
		{Option{Name: "daemon", About: "this plan's requests from `cfprewarm warm --every` (no scheduler jitter; the host's cost not counted)",
			Schedule: daemon(cfg.TargetKeepAlive, cfg.Margin)}, 0},
		{Option{Name: "seed", About: "the seed: 60 requests per POP once a minute",
			Schedule: Schedule{Waves: 1, Interval: DefaultsInterval, Period: cfg.Period, Jitter: jit}}, SeedRequests},
		{Option{Name: "defaults", About: "today's defaults: 3 waves of 60 requests, 20 s apart, every minute",
			Schedule: Schedule{Waves: DefaultsWaves, Interval: DefaultsInterval, Period: cfg.Period, Jitter: jit}}, DefaultsRequests},
	}
	options[0].o.Schedule = s
	for _, x := range options {
		o := x.o
		o.RequestsPerWave = x.n
		o.IntervalS, o.MaxGapS = o.Schedule.Interval.Seconds(), o.Schedule.MaxGap().Seconds()
		dist := o.Schedule.windowWaves(cfg.TargetKeepAlive)
		var cold, reqs float64
		byRegion := map[string]int{}
		for _, pop := range sel {
			n := cmp.Or(x.n, pop.RequestsPerWave)
			c := pop.coldB * coldFactor(dist, pop.Hosts, n)
			cold += c
			reqs += float64(pop.Requests)
			o.RemovedPerDay += pop.Penalty * (pop.Cold.Current*float64(pop.Requests) - c) / float64(pop.Requests) * pop.RequestsPerDay
			perMonth := float64(n) * o.Schedule.WavesPerMonth()
			o.Cost.Requests += perMonth
			o.Cost.CloudFront += perMonth / 1e4 * pop.Price
			byRegion[pop.Region] = max(byRegion[pop.Region], n)
		}
		if o.Name != "daemon" {
			for _, region := range sortedKeys(byRegion) {
				var pops int
				for _, pop := range sel {
					if pop.Region == region {
						pops++
					}
				}
				_, c := lambdaCost(o.Schedule, byRegion[region]*pops, cfg)
				o.Cost.Lambda += c.Lambda
			}
		}
		o.Cost.Total = o.Cost.CloudFront + o.Cost.Lambda
		if reqs > 0 {
			o.ColdShare = cold / reqs
		}
		p.Options = append(p.Options, o)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
