package edgehosts

import "github.com/cfprewarm/cfprewarm/cloudfront"

// DefaultWindow is the number of recent waves a Tracker pools.
const DefaultWindow = 10

// Tracker keeps the answers of one POP's recent waves (Observation: the
// edge host id, the address and the connection each came through) and
// judges the POP's ids and host count from them. Pooling a window of
// waves (not every wave ever) lets the estimate follow a POP that grows or
// shrinks. The zero value pools DefaultWindow waves. Not safe for
// concurrent use.
type Tracker struct {
	Window int             // waves pooled; 0 means DefaultWindow
	waves  [][]Observation // oldest first; only answers with an id
}

// AddWave adds the ids of one wave's answers, with nothing known of their
// addresses or connections; "" (an answer without an id) is not counted.
func (t *Tracker) AddWave(ids []string) {
	obs := make([]Observation, len(ids))
	for i, id := range ids {
		obs[i].ID = id
	}
	t.Add(obs)
}

// Add adds one wave's answers. Those without an id are not kept (an id
// longer than cloudfront.MaxEdgeHostIDLen never gets here: it is
// unknown, and is dropped here too); a wave without any id is not kept
// either.
func (t *Tracker) Add(obs []Observation) {
	var kept []Observation
	for _, o := range obs {
		if o.ID != "" && len(o.ID) <= cloudfront.MaxEdgeHostIDLen {
			kept = append(kept, o)
		}
	}
	if len(kept) == 0 {
		return
	}
	w := t.Window
	if w <= 0 {
		w = DefaultWindow
	}
	t.waves = append(t.waves, kept)
	if len(t.waves) > w {
		t.waves = append(t.waves[:0], t.waves[len(t.waves)-w:]...)
	}
}

// Waves is the number of waves pooled.
func (t *Tracker) Waves() int { return len(t.waves) }

// Counts returns the answers with an id and the distinct ids over the
// pooled waves.
func (t *Tracker) Counts() (n, d int) {
	seen := map[string]bool{}
	for _, w := range t.waves {
		n += len(w)
		for _, o := range w {
			seen[o.ID] = true
		}
	}
	return n, len(seen)
}

// Fit judges the pooled waves (Judge): the host count and what the ids
// name.
func (t *Tracker) Fit(level float64) Fit {
	var all []Observation
	for _, w := range t.waves {
		all = append(all, w...)
	}
	return Judge(all, level)
}

// Estimate is the hosts file entry of pop: the fit when there is one, else
// the fallback host count with the reason in Note. A verdict other than
// unknown is kept either way.
func (f Fit) Estimate(pop string, fallback int) Estimate {
	e := Estimate{POP: pop, Seen: f.Distinct, Requests: f.Responses}
	if f.Verdict != VerdictUnknown {
		e.Verdict = f.Verdict
	}
	if !f.OK {
		e.Hosts, e.Method, e.Note = fallback, MethodConfigured, f.Why
		return e
	}
	e.Hosts, e.Low, e.High, e.Level, e.Method = f.Best, f.Low, f.High, f.Level, Method
	return e
}

// MethodConfigured marks a hosts file entry that is not an estimate: the
// host count was configured (the estimate was unavailable, see Note).
const MethodConfigured = "configured"
