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
	// panels, when set, replace plot: small multiples in a grid of cols
	// columns under the legend, each with a title of its own.
	panels []panel
	cols   int
}

// panel is one plot of a grid of small multiples.
type panel struct {
	title string
	key   plot.Thumbnailer // drawn before the title: the panel's own line
	plot  *plot.Plot
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
	cdfPanelHeight = 2 * vg.Inch // one row of the CDF's small multiples
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

// cdf plots the empirical distribution of Total as small multiples: a
// panel per scenario, its own line in its colour over every other
// scenario's in grey, on shared axes. Lab scenarios often coincide (every
// prewarmed one near the warm time, every cold one near the cold time), so
// lines sharing one plot would hide each other.
func (r Report) cdf() (chart, error) {
	var xMax float64
	for _, s := range r.Scenarios {
		for _, res := range s.Results {
			if res.OK() {
				xMax = math.Max(xMax, res.Timings.Total.Seconds())
			}
		}
	}
	xMax = niceCeil(xMax * 1.05)
	lines := make([]plotter.XYs, len(r.Scenarios)) // nil: no successful probe
	for i, s := range r.Scenarios {
		lines[i] = cdfPoints(s, xMax)
	}
	cols := min(max(len(r.Scenarios), 1), 2) // wide enough for a title with a published median
	rows := max((len(r.Scenarios)+cols-1)/cols, 1)
	out := chart{file: "cdf", title: "Distribution of Total per scenario", legend: newLegendRow(), w: chartWidth,
		h: vg.Points(56) + vg.Length(rows)*cdfPanelHeight, cols: cols}
	var published bool
	for i, s := range r.Scenarios {
		pn, err := r.cdfPanel(i, lines, xMax, cols)
		if err != nil {
			return chart{}, fmt.Errorf("%s: %w", s.Name, err)
		}
		out.panels = append(out.panels, pn)
		_, ok := r.reference(s.Name)
		published = published || ok
	}
	if len(out.panels) == 0 { // no scenario: the empty axes
		out.plot = cdfAxes(xMax, true, true)
	}
	out.legend.Add("the panel's scenario (colour)", seriesKey{})
	out.legend.Add("the other scenarios", lineKey(cdfOther))
	if published {
		sc, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return chart{}, err
		}
		sc.GlyphStyle = ringStyle(colorGuide)
		out.legend.Add("published median", sc)
	}
	out.legend.Add("median (0.5)", lineKey(cdfMedian))
	return out, nil
}

var (
	cdfOther  = draw.LineStyle{Color: colorTrace, Width: vg.Points(1.2)}
	cdfMedian = draw.LineStyle{Color: colorGuide, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(3)}}
)

// cdfPanel is scenario i's panel: the other scenarios' lines in grey, its
// own on top in its colour, the median and its published median.
func (r Report) cdfPanel(i int, lines []plotter.XYs, xMax float64, cols int) (panel, error) {
	s := r.Scenarios[i]
	n := len(r.Scenarios)
	p := cdfAxes(xMax, i+cols >= n, i%cols == 0) // axis labels on the lowest panel of a column, the first of a row
	own := draw.LineStyle{Color: seriesColors[i%len(seriesColors)], Width: vg.Points(2.2)}
	add := func(pts plotter.XYs, sty draw.LineStyle) error {
		l, err := plotter.NewLine(pts)
		if err == nil {
			l.LineStyle = sty
			p.Add(l)
		}
		return err
	}
	if err := add(plotter.XYs{{X: 0, Y: 0.5}, {X: xMax, Y: 0.5}}, cdfMedian); err != nil {
		return panel{}, err
	}
	for j, pts := range lines {
		if j != i && pts != nil {
			if err := add(pts, cdfOther); err != nil {
				return panel{}, err
			}
		}
	}
	title := s.Name + ": no successful probe"
	if lines[i] != nil {
		if err := add(lines[i], own); err != nil {
			return panel{}, err
		}
		title = fmt.Sprintf("%s: p50 %.3f s", s.Name, s.summary().Timings.Total.P50.Seconds())
	}
	if ref, ok := r.reference(s.Name); ok && ref.TotalP50 > 0 {
		sc, err := plotter.NewScatter(plotter.XYs{{X: ref.TotalP50.Seconds(), Y: 0.5}})
		if err != nil {
			return panel{}, err
		}
		sc.GlyphStyle = ringStyle(own.Color)
		p.Add(sc)
		title += fmt.Sprintf(" (published %.3f s)", ref.TotalP50.Seconds())
	}
	// Add widened the axes to the data; keep the shared ranges.
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, 1
	return panel{title: title, key: lineKey(own), plot: p}, nil
}

// cdfAxes is an empty CDF plot, x from 0 to xMax, with axis labels where
// asked.
func cdfAxes(xMax float64, xLabel, yLabel bool) *plot.Plot {
	p := newPlot()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Marker = ticks{n: 4}
	}
	if xLabel {
		p.X.Label.Text = "Total (s)"
	}
	if yLabel {
		p.Y.Label.Text = "share \u2264 Total"
	}
	p.X.Min, p.X.Max = 0, xMax
	p.Y.Min, p.Y.Max = 0, 1
	return p
}

func ringStyle(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: vg.Points(5), Shape: draw.RingGlyph{}}
}

// cdfPoints is the empirical distribution of a scenario's successful
// Totals as a step line ending at xMax; nil without one.
func cdfPoints(s Scenario, xMax float64) plotter.XYs {
	var totals []float64
	for _, res := range s.Results {
		if res.OK() {
			totals = append(totals, res.Timings.Total.Seconds())
		}
	}
	if len(totals) == 0 {
		return nil
	}
	slices.Sort(totals)
	n := float64(len(totals))
	pts := make(plotter.XYs, 0, 2*len(totals)+1)
	for j, t := range totals {
		pts = append(pts, plotter.XY{X: t, Y: float64(j) / n}, plotter.XY{X: t, Y: float64(j+1) / n})
	}
	return append(pts, plotter.XY{X: xMax, Y: 1})
}

// lineKey is a thumbnail of a line style: in a legend, before a panel's
// title.
type lineKey draw.LineStyle

// Thumbnail implements plot.Thumbnailer.
func (k lineKey) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle(k), c.Min.X, y, c.Max.X, y)
}

// seriesKey is the legend's thumbnail for "the panel's own colour": a
// short line in each of the first three series colours.
type seriesKey struct{}

// Thumbnail implements plot.Thumbnailer.
func (seriesKey) Thumbnail(c *draw.Canvas) {
	const n = 3
	w := (c.Max.X - c.Min.X) / n
	y := (c.Min.Y + c.Max.Y) / 2
	for i := range n {
		x := c.Min.X + vg.Length(i)*w
		c.StrokeLine2(draw.LineStyle{Color: seriesColors[i], Width: vg.Points(2.2)}, x, y, x+w, y)
	}
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
	if len(ch.panels) == 0 {
		ch.plot.Draw(draw.Crop(c, pad/2, -pad, 0, 0))
		return
	}
	ch.drawPanels(draw.Crop(c, pad/2, -pad, 0, 0))
}

// drawPanels tiles the panels on c, cols to a row, each under its title.
func (ch chart) drawPanels(c draw.Canvas) {
	cols := max(ch.cols, 1)
	rows := (len(ch.panels) + cols - 1) / cols
	w := c.Size().X / vg.Length(cols)
	h := c.Size().Y / vg.Length(rows)
	sty := text.Style{Color: color.Black, Font: font.From(sansBold, 10), XAlign: draw.XLeft,
		YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	th := sty.Rectangle("Mg").Size().Y + vg.Points(4)
	for i, p := range ch.panels {
		row, col := i/cols, i%cols
		cell := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Min.X + vg.Length(col)*w, Y: c.Max.Y - vg.Length(row+1)*h},
			Max: vg.Point{X: c.Min.X + vg.Length(col+1)*w, Y: c.Max.Y - vg.Length(row)*h},
		}}
		x := cell.Min.X + vg.Points(6)
		if p.key != nil {
			key := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: cell.Max.Y - th},
				Max: vg.Point{X: x + vg.Points(legendThumb), Y: cell.Max.Y},
			}}
			p.key.Thumbnail(&key)
			x += vg.Points(legendThumb + legendPad)
		}
		cell.FillText(sty, vg.Point{X: x, Y: cell.Max.Y}, p.title)
		p.plot.Draw(draw.Crop(cell, 0, -vg.Points(6), 0, -th))
	}
}

// headerHeight is the height of the title and the legend above the plot
// or panels.
func (ch chart) headerHeight() vg.Length {
	pad := vg.Points(8)
	h := vg.Length(0)
	if ch.title != "" {
		sty := text.Style{Font: font.From(sansBold, 13), Handler: plot.DefaultTextHandler}
		h += sty.Rectangle(ch.title).Size().Y + pad
	}
	if ch.legend != nil && len(ch.legend.entries) > 0 {
		h += ch.legend.height(ch.w-pad*2) + pad/2
	}
	return h
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
