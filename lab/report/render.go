package report

import (
	"bytes"
	"fmt"
	"image/png"
	"regexp"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI renders the 9-inch-wide charts 1152 pixels wide: sharp on a
// laptop screen, small enough to render fast.
const pngDPI = 128

// png renders the chart as a PNG image.
func (ch chart) png() (b []byte, err error) {
	defer recoverRender(ch.file, &err)
	c := vgimg.NewWith(vgimg.UseWH(ch.w, ch.h), vgimg.UseDPI(pngDPI))
	ch.draw(draw.New(c))
	var buf bytes.Buffer
	// Encoding dominates the render time at the default level; chart images
	// are flat colours that compress well at the fastest one too.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("report: %s.png: %w", ch.file, err)
	}
	return buf.Bytes(), nil
}

// svg renders the chart as an <svg> element to inline in HTML: no XML
// prolog, no namespace URLs (the HTML parser supplies the namespace), a
// font list that falls back to the metric-compatible Arial, and a size
// that follows the page's CSS.
func (ch chart) svg() (b []byte, err error) {
	defer recoverRender(ch.file, &err)
	c := vgsvg.New(ch.w, ch.h)
	ch.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: %s.svg: %w", ch.file, err)
	}
	return inlineSVG(buf.Bytes())
}

var (
	svgNamespaces = regexp.MustCompile(`\s+xmlns(:\w+)?="[^"]*"`)
	svgSize       = regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`)
)

func inlineSVG(doc []byte) ([]byte, error) {
	i := bytes.Index(doc, []byte("<svg"))
	if i < 0 {
		return nil, fmt.Errorf("report: renderer wrote no <svg> element")
	}
	el := doc[i:]
	el = svgNamespaces.ReplaceAll(el, nil)
	el = svgSize.ReplaceAll(el, []byte(`<svg role="img"`))
	el = bytes.ReplaceAll(el, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	return el, nil
}

// recoverRender turns a panic in the plotting library into an error, so a
// report with odd data fails to render instead of taking the lab down.
func recoverRender(name string, err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("report: rendering %s: %v", name, v)
	}
}
