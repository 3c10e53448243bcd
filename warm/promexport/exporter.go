package promexport

import (
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Exporter holds what the waves so far said, as Prometheus metrics and a
// health verdict. Safe for concurrent use: Observe runs on the daemon's
// loop while scrapes and health checks read.
type Exporter struct {
	window  time.Duration
	now     func() time.Time
	started time.Time
	reg     *prometheus.Registry
	waveDur prometheus.Histogram

	mu          sync.Mutex
	pops        map[string]*popState // by target: POP code, or client subnet
	succeeded   uint64               // waves
	failed      uint64               // waves
	lastSuccess time.Time            // end of the last wave that succeeded
	lastWave    waveVerdict          // the last wave observed
}

// popState is one target's counters and its last wave.
type popState struct {
	requests uint64 // finished (OK or failed)
	errors   map[cloudfront.ErrorKind]uint64
	origin   [3]uint64 // OK answers of the target POP: warm, cold, unknown

	// The last wave.
	coldRatio   float64
	coldKnown   bool
	hostsSeen   int
	estimate    int
	estimateOK  bool
	waveSeconds float64
	lastSuccess time.Time // end of the last wave in which it succeeded
}

// waveVerdict is what Health says of the last wave.
type waveVerdict struct {
	end    time.Time
	failed []string // targets that failed, in the wave's order
}

// Option configures an Exporter.
type Option func(*Exporter)

// WithClock makes the Exporter read the time from now (tests).
func WithClock(now func() time.Time) Option { return func(e *Exporter) { e.now = now } }

// New returns an Exporter whose /healthz fails when no wave succeeded
// within window (and, before the first success, when window has passed
// since New). window must be positive.
func New(window time.Duration, opts ...Option) *Exporter {
	e := &Exporter{window: window, now: time.Now, pops: map[string]*popState{}}
	for _, o := range opts {
		o(e)
	}
	e.started = e.now()
	e.waveDur = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    Prefix + "wave_duration_seconds",
		Help:    "Duration of each prewarm wave, from its start (name resolution) to its last request's end, over all POPs.",
		Buckets: waveBuckets,
	})
	e.reg = prometheus.NewRegistry()
	e.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collector{e},
		e.waveDur,
	)
	return e
}

// waveBuckets span a wave of a few requests on a near POP to one that ran
// into the request timeout (warm.MaxTimeout), in seconds.
var waveBuckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120}

// Observe takes a run's waves into the metrics and the health verdict.
// Call it after every run, with the run's records (the per-POP time in a
// wave is read from them; without them it is the wave's duration).
func (e *Exporter) Observe(r *warm.Result) {
	if r == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range r.Waves {
		e.observeWave(w)
	}
}

func (e *Exporter) observeWave(w warm.Wave) {
	end := w.Start.Add(time.Duration(w.Duration))
	e.waveDur.Observe(w.Duration.Float())
	v := waveVerdict{end: end}
	for _, p := range w.POPs {
		ps := e.pop(p.Target())
		s := p.Stats
		ps.requests += uint64(s.Requests)
		for kind, n := range s.ErrorsByKind {
			ps.errors[kind] += uint64(n)
		}
		ps.origin[0] += uint64(s.Origin.Warm)
		ps.origin[1] += uint64(s.Origin.Cold)
		ps.origin[2] += uint64(s.Origin.Unknown)
		ps.coldRatio, ps.coldKnown = s.OriginColdRatio().Value()
		ps.hostsSeen = p.Sizing.EdgeHostsSeen
		ps.estimate, ps.estimateOK = 0, p.Sizing.EdgeHosts != nil
		if ps.estimateOK {
			ps.estimate = p.Sizing.EdgeHosts.Hosts
		}
		ps.waveSeconds = popTime(w, p).Seconds()
		if Succeeded(p) {
			ps.lastSuccess = end
		} else {
			v.failed = append(v.failed, p.Target())
		}
	}
	e.lastWave = v
	if len(v.failed) == 0 && len(w.POPs) > 0 {
		e.succeeded++
		e.lastSuccess = end
	} else {
		e.failed++
	}
}

func (e *Exporter) pop(target string) *popState {
	ps := e.pops[target]
	if ps == nil {
		ps = &popState{errors: make(map[cloudfront.ErrorKind]uint64, len(errorKinds))}
		for _, k := range errorKinds {
			ps.errors[k] = 0 // every kind from the first wave on, so that rate() sees the first error
		}
		e.pops[target] = ps
	}
	return ps
}

// Succeeded reports whether a POP succeeded in its wave: at least one of
// its requests got an answer (a status below 500) from the POP it
// targeted, so that at least one of the POP's edge hosts holds a warm
// origin connection. A POP whose name did not resolve, whose requests all
// failed, or whose answers all came from another POP did not.
func Succeeded(p warm.POPResult) bool { return p.Stats.OK-p.Stats.Mismatched > 0 }

// popTime is the time from the wave's start to the end of the POP's last
// request (the wave's duration when the result came without its records).
func popTime(w warm.Wave, p warm.POPResult) time.Duration {
	var last time.Duration
	for _, rec := range p.Requests {
		if rec.Unfinished {
			continue
		}
		if d := rec.Start.Add(rec.Timings.Total).Sub(w.Start); d > last {
			last = d
		}
	}
	if last == 0 {
		return time.Duration(w.Duration)
	}
	return last
}

// errorKinds are the kinds a failed prewarm request is counted by
// (cloudfront.ErrorKind; a test checks the list against the package).
var errorKinds = []cloudfront.ErrorKind{
	cloudfront.KindDNS, cloudfront.KindRefused, cloudfront.KindTimeout, cloudfront.KindTLS,
	cloudfront.KindCanceled, cloudfront.KindProtocol, cloudfront.KindOther, cloudfront.KindStatus5xx,
}
