package edgehosts

// DefaultWindow is the number of recent waves a Tracker pools.
const DefaultWindow = 10

// Tracker keeps the edge host ids one POP's responses named in its recent
// waves and estimates the POP's host count from them. Pooling a window of
// waves (not every wave ever) lets the estimate follow a POP that grows or
// shrinks. The zero value pools DefaultWindow waves. Not safe for
// concurrent use.
type Tracker struct {
	Window int      // waves pooled; 0 means DefaultWindow
	waves  []sample // oldest first
}

// sample is one wave's ids: how many responses named a host, and the
// distinct ids.
type sample struct {
	n   int
	ids map[string]struct{}
}

// AddWave adds the ids of one wave's responses; "" (a response without an
// id) is not counted. A wave without any id is not kept.
func (t *Tracker) AddWave(ids []string) {
	s := sample{ids: map[string]struct{}{}}
	for _, id := range ids {
		if id != "" {
			s.n++
			s.ids[id] = struct{}{}
		}
	}
	if s.n == 0 {
		return
	}
	w := t.Window
	if w <= 0 {
		w = DefaultWindow
	}
	t.waves = append(t.waves, s)
	if len(t.waves) > w {
		t.waves = append(t.waves[:0], t.waves[len(t.waves)-w:]...)
	}
}

// Waves is the number of waves pooled.
func (t *Tracker) Waves() int { return len(t.waves) }

// Counts returns the responses with an id and the distinct ids over the
// pooled waves.
func (t *Tracker) Counts() (n, d int) {
	seen := map[string]bool{}
	for _, s := range t.waves {
		n += s.n
		for id := range s.ids {
			seen[id] = true
		}
	}
	return n, len(seen)
}

// Fit estimates the host count from the pooled waves.
func (t *Tracker) Fit(level float64) Fit {
	n, d := t.Counts()
	return EstimateHosts(n, d, level)
}

// Estimate is the hosts file entry of pop: the fit when there is one, else
// the fallback host count with the reason in Note.
func (f Fit) Estimate(pop string, fallback int) Estimate {
	e := Estimate{POP: pop, Seen: f.Distinct, Requests: f.Responses}
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
