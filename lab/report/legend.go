package report

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendRow is a chart's legend laid out in rows across the chart's width,
// between the title and the plot: it never covers a point and never takes
// a column from the plot area.
type legendRow struct {
	entries []legendEntry
	style   text.Style
}

type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

const (
	legendThumb = 18 // points: the width of a thumbnail
	legendGap   = 16 // points between entries
	legendPad   = 4  // points between a thumbnail and its text
)

func newLegendRow() *legendRow {
	return &legendRow{style: text.Style{Color: color.Black, Font: font.From(sans, 10), XAlign: draw.XLeft,
		YAlign: draw.YBottom, Handler: plot.DefaultTextHandler}}
}

// Add adds an entry drawn with the thumbnails of the given plotters.
func (l *legendRow) Add(name string, thumbs ...plot.Thumbnailer) {
	l.entries = append(l.entries, legendEntry{name, thumbs})
}

// lineHeight is the height of one row of entries.
func (l *legendRow) lineHeight() vg.Length {
	return l.style.Rectangle("Mg").Size().Y + vg.Points(4)
}

// entryWidth is the width an entry takes, thumbnail and text.
func (l *legendRow) entryWidth(e legendEntry) vg.Length {
	return vg.Points(legendThumb+legendPad) + l.style.Rectangle(e.text).Size().X
}

// rows splits the entries into rows that fit width.
func (l *legendRow) rows(width vg.Length) [][]legendEntry {
	var rows [][]legendEntry
	var cur []legendEntry
	var x vg.Length
	for _, e := range l.entries {
		w := l.entryWidth(e)
		if len(cur) > 0 && x+w > width {
			rows = append(rows, cur)
			cur, x = nil, 0
		}
		cur = append(cur, e)
		x += w + vg.Points(legendGap)
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}
	return rows
}

// height is the height the legend takes at width.
func (l *legendRow) height(width vg.Length) vg.Length {
	return vg.Length(len(l.rows(width))) * l.lineHeight()
}

// draw lays the entries out from the top left of c, row by row.
func (l *legendRow) draw(c draw.Canvas) {
	lh := l.lineHeight()
	y := c.Max.Y
	for _, row := range l.rows(c.Size().X) {
		y -= lh
		x := c.Min.X
		for _, e := range row {
			thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y + vg.Points(2)},
				Max: vg.Point{X: x + vg.Points(legendThumb), Y: y + lh - vg.Points(2)},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&thumb)
			}
			c.FillText(l.style, vg.Point{X: x + vg.Points(legendThumb+legendPad), Y: y + vg.Points(3)}, e.text)
			x += l.entryWidth(e) + vg.Points(legendGap)
		}
	}
}
