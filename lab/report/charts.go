package report

import (
	"fmt"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"image/color"
	"math"
	"slices"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chart is one figure: a title, its legend in rows under the title (so
// that it never covers a point nor narrows the plot), and the plot.
type chart struct {
	file   string // file name without extension: "timeline-<scenario>", "cdf"
	title  string // drawn above the plot, left-aligned over the full width
	plot   *plot.Plot
	legend *legendRow
	w, h   vg.Length
}

var (
	colorWarm    = color.RGBA{R: 0x1a, G: 0x98, B: 0x50, A: 0xff} // green: origin connection reused
	colorCold    = color.RGBA{R: 0xe0, G: 0x4a, B: 0x1b, A: 0xff} // red-orange: new origin connection
	colorUnknown = color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
	colorFailed  = color.RGBA{A: 0xff}
	colorGuide   = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	colorTrace   = color.RGBA{R: 0xcc, G: 0xcc, B: 0xcc, A: 0xff}
	colorGrid    = color.RGBA{R: 0xe8, G: 0xe8, B: 0xe8, A: 0xff}
	colorWave    = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff} // blue: a prewarm wave ran
	// seriesColors tell CDF lines apart (Okabe–Ito, safe for colour blindness).
	seriesColors = []color.Color{
		color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}, // blue
		color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}, // vermillion
		color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}, // bluish green
		color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff}, // reddish purple
		color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, // orange
		color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}, // sky blue
		color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
	}
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

const (
	chartWidth     = 9 * vg.Inch
	timelineHeight = 3.2 * vg.Inch
	cdfHeight      = 4.2 * vg.Inch
	glyphRadius    = 3.5
)

// charts builds every figure of the report: a timeline per scenario, then
// the phase chart and the CDF of Total over all scenarios.
func (r Report) charts() ([]chart, error) {
	xMax, yMax := r.timelineRanges()
	out := make([]chart, 0, len(r.Scenarios)+1)
	for _, s := range r.Scenarios {
		c, err := r.timeline(s, xMax, yMax)
		if err != nil {
			return nil, fmt.Errorf("report: timeline of %s: %w", s.Name, err)
		}
		out = append(out, c)
	}
	c, err := r.phaseChart()
	if err != nil {
		return nil, fmt.Errorf("report: phases: %w", err)
	}
	out = append(out, c)
	if c, err = r.cdf(); err != nil {
		return nil, fmt.Errorf("report: CDF: %w", err)
	}
	return append(out, c), nil
}

// timelineRanges returns the axis maxima shared by every timeline so that
// the charts of different scenarios compare at a glance.
func (r Report) timelineRanges() (xMax, yMax float64) {
	for _, s := range r.Scenarios {
		for _, res := range s.Results {
			xMax = math.Max(xMax, r.experimentSeconds(s, res))
			if res.OK() {
				yMax = math.Max(yMax, res.Timings.Total.Seconds())
			}
		}
		if ref, ok := r.reference(s.Name); ok {
			yMax = math.Max(yMax, ref.TotalP50.Seconds())
		}
	}
	if xMax <= 0 {
		xMax = math.Max(r.ProbeInterval.Seconds(), 1)
	} else {
		xMax += math.Max(r.ProbeInterval.Seconds()/4, xMax*0.01)
	}
	return xMax, niceCeil(yMax * 1.08)
}

// timeline plots Total per probe against experiment time, one glyph per
// probe coloured by what the POP did with its origin connection.
func (r Report) timeline(s Scenario, xMax, yMax float64) (chart, error) {
	title := s.Name
	if s.Title != "" {
		title += ": " + s.Title
	}
	p := newPlot()
	p.X.Label.Text = "experiment time (s)"
	if k := r.timeScale(); k != 1 {
		p.X.Label.Text = fmt.Sprintf("experiment time (s; the lab ran %s\u00d7 faster)", strconv.FormatFloat(k, 'f', -1, 64))
	}
	p.Y.Label.Text = "Total (s)"
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, yMax

	var trace, warm, cold, unknown, failed plotter.XYs
	for _, res := range s.Results {
		x := r.experimentSeconds(s, res)
		if !res.OK() {
			failed = append(failed, plotter.XY{X: x, Y: 0})
			continue
		}
		pt := plotter.XY{X: x, Y: res.Timings.Total.Seconds()}
		trace = append(trace, pt)
		switch res.Origin {
		case cloudfront.OriginWarm:
			warm = append(warm, pt)
		case cloudfront.OriginCold:
			cold = append(cold, pt)
		default:
			unknown = append(unknown, pt)
		}
	}
	lg := newLegendRow()
	if ref, ok := r.reference(s.Name); ok && ref.TotalP50 > 0 {
		y := ref.TotalP50.Seconds()
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: y}, {X: xMax, Y: y}})
		if err != nil {
			return chart{}, err
		}
		l.LineStyle = draw.LineStyle{Color: colorGuide, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
		p.Add(l)
		lg.Add(fmt.Sprintf("published median %.3f s", y), l)
	}
	if len(trace) > 1 {
		l, err := plotter.NewLine(trace)
		if err != nil {
			return chart{}, err
		}
		l.LineStyle = draw.LineStyle{Color: colorTrace, Width: vg.Points(0.8)}
		p.Add(l)
	}
	groups := []struct {
		pts   plotter.XYs
		label string
		color color.Color
		shape draw.GlyphDrawer
		show  bool // in the legend even when empty
	}{
		{warm, "origin connection reused (warm)", colorWarm, draw.CircleGlyph{}, true},
		{cold, "new origin connection (cold)", colorCold, draw.PyramidGlyph{}, true},
		{unknown, "origin unknown (no Server-Timing)", colorUnknown, draw.BoxGlyph{}, false},
		{failed, "failed (no response)", colorFailed, draw.CrossGlyph{}, false},
	}
	for _, g := range groups {
		sc, err := plotter.NewScatter(g.pts)
		if err != nil {
			return chart{}, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: g.color, Radius: vg.Points(glyphRadius), Shape: g.shape}
		if len(g.pts) > 0 {
			p.Add(sc)
		}
		if len(g.pts) > 0 || g.show {
			lg.Add(fmt.Sprintf("%s: %d", g.label, len(g.pts)), sc)
		}
	}
	if len(s.Waves) > 0 {
		marks := waveMarks{color: colorWave}
		for _, w := range s.Waves {
			marks.xs = append(marks.xs, max(r.experimentOffset(s, w.Start), 0))
		}
		p.Add(marks)
		lg.Add(fmt.Sprintf("prewarm wave: %d", len(s.Waves)), marks)
	}
	// Add widened the axes to the data; keep the shared ranges.
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, yMax
	return chart{
		file:   "timeline-" + fileSafe(s.Name),
		title:  title,
		plot:   p,
		legend: lg,
		w:      chartWidth,
		h:      timelineHeight,
	}, nil
}

// cdf plots the empirical distribution of Total, one line per scenario.
func (r Report) cdf() (chart, error) {
	p := newPlot()
	p.X.Label.Text = "Total (s)"
	p.Y.Label.Text = "share of probes \u2264 Total"
	var xMax float64
	for _, s := range r.Scenarios {
		for _, res := range s.Results {
			if res.OK() {
				xMax = math.Max(xMax, res.Timings.Total.Seconds())
			}
		}
	}
	xMax = niceCeil(xMax * 1.05)
	lg := newLegendRow()
	median, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0.5}, {X: xMax, Y: 0.5}})
	if err != nil {
		return chart{}, err
	}
	median.LineStyle = draw.LineStyle{Color: colorGuide, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(3)}}
	p.Add(median)
	var published plotter.XYs
	var publishedColors []color.Color
	for i, s := range r.Scenarios {
		var totals []float64
		for _, res := range s.Results {
			if res.OK() {
				totals = append(totals, res.Timings.Total.Seconds())
			}
		}
		if len(totals) == 0 {
			continue
		}
		slices.Sort(totals)
		n := float64(len(totals))
		pts := make(plotter.XYs, 0, 2*len(totals)+1)
		for j, t := range totals {
			pts = append(pts, plotter.XY{X: t, Y: float64(j) / n}, plotter.XY{X: t, Y: float64(j+1) / n})
		}
		pts = append(pts, plotter.XY{X: xMax, Y: 1})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return chart{}, err
		}
		c := seriesColors[i%len(seriesColors)]
		l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(2)}
		p.Add(l)
		lg.Add(fmt.Sprintf("%s (p50 %.3f s)", s.Name, s.summary().Timings.Total.P50.Seconds()), l)
		if ref, ok := r.reference(s.Name); ok && ref.TotalP50 > 0 {
			published = append(published, plotter.XY{X: ref.TotalP50.Seconds(), Y: 0.5})
			publishedColors = append(publishedColors, c)
		}
	}
	if len(published) > 0 {
		sc, err := plotter.NewScatter(published)
		if err != nil {
			return chart{}, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colorGuide, Radius: vg.Points(5), Shape: draw.RingGlyph{}}
		sc.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			return draw.GlyphStyle{Color: publishedColors[i], Radius: vg.Points(5), Shape: draw.RingGlyph{}}
		}
		p.Add(sc)
		lg.Add("published median", sc)
	}
	lg.Add("median (0.5)", median)
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, 1
	return chart{file: "cdf", title: "Distribution of Total per scenario", plot: p, legend: lg, w: chartWidth, h: cdfHeight}, nil
}

// newPlot returns a plot with sans-serif text and a light grid.
func newPlot() *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
		a.Padding = vg.Points(2)
		a.Tick.Marker = ticks{n: 8}
	}
	g := plotter.NewGrid()
	g.Vertical.Color = colorGrid
	g.Horizontal.Color = colorGrid
	p.Add(g)
	return p
}

// draw lays the chart out on c: the title along the top, left-aligned so
// that a long one is not clipped; the legend in rows below it; the plot
// under both, over the full width.
func (ch chart) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	pad := vg.Points(8)
	if ch.title != "" {
		sty := text.Style{Color: color.Black, Font: font.From(sansBold, 13), XAlign: draw.XLeft,
			YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		c.FillText(sty, vg.Point{X: c.Min.X + pad, Y: c.Max.Y - pad/2}, ch.title)
		c = draw.Crop(c, 0, 0, 0, -(sty.Rectangle(ch.title).Size().Y + pad))
	}
	if ch.legend != nil && len(ch.legend.entries) > 0 {
		lc := draw.Crop(c, pad, -pad, 0, 0)
		h := ch.legend.height(lc.Size().X)
		ch.legend.draw(lc)
		c = draw.Crop(c, 0, 0, 0, -(h + pad/2))
	}
	ch.plot.Draw(draw.Crop(c, pad/2, -pad, 0, 0))
}

// waveMarks draws a short tick at the bottom of the plot for every prewarm
// wave, at its x (experiment time).
type waveMarks struct {
	xs    []float64
	color color.Color
}

// Plot implements plot.Plotter.
func (m waveMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := draw.LineStyle{Color: m.color, Width: vg.Points(1.5)}
	for _, x := range m.xs {
		if x < p.X.Min || x > p.X.Max {
			continue
		}
		px := trX(x)
		c.StrokeLine2(sty, px, c.Min.Y, px, c.Min.Y+vg.Points(9))
	}
}

// Thumbnail implements plot.Thumbnailer: one tick.
func (m waveMarks) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(draw.LineStyle{Color: m.color, Width: vg.Points(1.5)}, x, c.Min.Y, x, c.Max.Y)
}

// niceCeil rounds x up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
// power of ten, so an axis ends on a round number; 1 for x ≤ 0.
func niceCeil(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if v := m * e; v >= x*(1-1e-12) {
			return v
		}
	}
	return 10 * e
}
