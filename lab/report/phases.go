package report

import (
	"fmt"
	"image/color"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/stats"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// phaseBar is one bar of the phase chart: the medians of one group of
// probes (a scenario's probes that found the origin connection warm, or
// cold), or a scenario's published medians.
type phaseBar struct {
	label string
	// The segments, in the order they happen. originConnect is the POP's
	// new TCP and TLS handshakes to the origin (cdn-upstream-connect);
	// rest is the remainder of request → first byte (the request's viewer
	// and origin round trips); published is a published request → first
	// byte that cannot be split.
	dns, tcp, tls, originConnect, rest, published time.Duration
	n                                             int
}

// phaseSegment is a segment of every bar: its name, colour and value.
type phaseSegment struct {
	name  string
	color color.Color
	value func(b phaseBar) time.Duration
}

var phaseSegments = []phaseSegment{
	{"DNS", color.RGBA{R: 0xb0, G: 0xb0, B: 0xb0, A: 0xff}, func(b phaseBar) time.Duration { return b.dns }},
	{"TCP connect", color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}, func(b phaseBar) time.Duration { return b.tcp }},
	{"TLS handshake", color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}, func(b phaseBar) time.Duration { return b.tls }},
	{"origin TCP + TLS (cdn-upstream-connect)", colorCold, func(b phaseBar) time.Duration { return b.originConnect }},
	{"request \u2192 first byte, the rest", colorWarm, func(b phaseBar) time.Duration { return b.rest }},
	{"request \u2192 first byte (published, not split)", color.RGBA{R: 0x99, G: 0x99, B: 0x66, A: 0xff}, func(b phaseBar) time.Duration { return b.published }},
}

// phaseBars returns the bars of the phase chart, top to bottom: per
// scenario its published medians (when known), then its probes that found
// a warm, a cold and an unknown origin connection, each group that has any.
func (r Report) phaseBars() []phaseBar {
	var bars []phaseBar
	for _, s := range r.Scenarios {
		if ref, ok := r.reference(s.Name); ok && !ref.Phases.IsZero() {
			p := ref.Phases
			bars = append(bars, phaseBar{label: s.Name + ", published", tcp: p.TCP, tls: p.TLS, published: p.FirstByte})
		}
		for _, state := range []cloudfront.OriginConn{cloudfront.OriginWarm, cloudfront.OriginCold, cloudfront.OriginUnknown} {
			var dns, tcp, tls, conn, rest stats.Sample
			for _, res := range s.Results {
				if !res.OK() || res.Origin != state {
					continue
				}
				ph := res.Timings.Phases()
				dns.Add(ph.DNS)
				tcp.Add(ph.TCP)
				tls.Add(ph.TLS)
				conn.Add(res.UpstreamConnect)
				rest.Add(max(ph.Server-res.UpstreamConnect, 0))
			}
			if dns.Len() == 0 {
				continue
			}
			bars = append(bars, phaseBar{
				label: fmt.Sprintf("%s, %s (%d)", s.Name, state, dns.Len()),
				dns:   dns.Durations().P50, tcp: tcp.Durations().P50, tls: tls.Durations().P50,
				originConnect: conn.Durations().P50, rest: rest.Durations().P50, n: dns.Len(),
			})
		}
	}
	return bars
}

// phaseChart is a horizontal stacked bar per group of probes: where the
// time of a request goes, phase by phase (medians). A cold request's red
// segment is the POP's new TCP and TLS handshakes to the origin, two origin
// round trips: the whole difference between cold and warm.
func (r Report) phaseChart() (chart, error) {
	bars := r.phaseBars()
	p := newPlot()
	p.X.Label.Text = "milliseconds (medians of each phase)"
	p.Y.Tick.Label.Font = font.From(sans, 10)
	labels := make([]string, len(bars))
	for i, b := range bars {
		labels[len(bars)-1-i] = b.label // the first bar on top
	}
	if len(bars) > 0 {
		p.NominalY(labels...)
	}
	lg := newLegendRow()
	var below *plotter.BarChart
	var xMax float64
	for _, seg := range phaseSegments {
		vals := make(plotter.Values, len(bars))
		any := false
		for i, b := range bars {
			v := seg.value(b)
			vals[len(bars)-1-i] = float64(v) / float64(time.Millisecond)
			any = any || v > 0
		}
		if !any {
			continue
		}
		bc, err := plotter.NewBarChart(vals, vg.Points(16))
		if err != nil {
			return chart{}, err
		}
		bc.Horizontal = true
		bc.Color = seg.color
		bc.LineStyle.Width = 0
		if below != nil {
			bc.StackOn(below)
		}
		below = bc
		p.Add(bc)
		lg.Add(seg.name, bc)
	}
	for _, b := range bars {
		xMax = max(xMax, float64(b.dns+b.tcp+b.tls+b.originConnect+b.rest+b.published)/float64(time.Millisecond))
	}
	if lbl, err := r.originConnectLabels(bars); err != nil {
		return chart{}, err
	} else if lbl != nil {
		p.Add(lbl)
	}
	p.X.Min, p.X.Max = 0, niceCeil(xMax*1.02)
	h := vg.Length(len(bars))*0.34*vg.Inch + 1.5*vg.Inch
	return chart{file: "phases", title: "Where the time goes: a request phase by phase", plot: p, legend: lg, w: chartWidth, h: h}, nil
}

// originConnectLabels writes on each cold bar's origin segment how long it
// took, in origin round trips.
func (r Report) originConnectLabels(bars []phaseBar) (*plotter.Labels, error) {
	var xys plotter.XYLabels
	for i, b := range bars {
		if b.originConnect <= 0 || r.OriginRTT <= 0 {
			continue
		}
		start := b.dns + b.tcp + b.tls
		mid := float64(start+b.originConnect/2) / float64(time.Millisecond)
		rtts := float64(b.originConnect) / float64(r.OriginRTT)
		xys.XYs = append(xys.XYs, plotter.XY{X: mid, Y: float64(len(bars) - 1 - i)})
		xys.Labels = append(xys.Labels, fmt.Sprintf("%.0f ms \u2248 %.1f origin RTTs", float64(b.originConnect)/float64(time.Millisecond), rtts))
	}
	if len(xys.XYs) == 0 {
		return nil, nil
	}
	l, err := plotter.NewLabels(xys)
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Color = color.White
		l.TextStyle[i].Font = font.From(sansBold, 9)
		l.TextStyle[i].XAlign = draw.XCenter
		l.TextStyle[i].YAlign = draw.YCenter
	}
	return l, nil
}
