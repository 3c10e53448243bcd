package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// overlappingReport has seven scenarios whose distributions coincide in
// pairs and triples, as a full lab run's do (every prewarmed scenario near
// the warm time, every cold one near the cold time): the same results
// under different names.
func overlappingReport() Report {
	r := testReport()
	warm := func(int) time.Duration { return 236 * time.Millisecond }
	cold := func(int) time.Duration { return 631 * time.Millisecond }
	r.Scenarios = []Scenario{
		scenario("ka5-noprewarm", 5*time.Second, false, 10, cold, always(cloudfront.OriginCold)),
		scenario("ka60-prewarm", 60*time.Second, true, 10, warm, always(cloudfront.OriginWarm)),
		scenario("ka60-noprewarm", 60*time.Second, false, 10, cold, always(cloudfront.OriginCold)),
		scenario("prewarm-partial", 60*time.Second, true, 10, jitter(400*time.Millisecond), always(cloudfront.OriginWarm)),
		scenario("origin-idle-short", 60*time.Second, true, 10, cold, always(cloudfront.OriginCold)),
		scenario("coverage-fixed", 60*time.Second, true, 10, warm, always(cloudfront.OriginWarm)),
		scenario("coverage-auto", 60*time.Second, true, 10, warm, always(cloudfront.OriginWarm)),
	}
	return r
}

// Every scenario's line shows in the CDF figure, in its own colour, even
// where distributions coincide: each colour covers a good part of a line's
// length in the plot area (the legend and titles above it not counted).
func TestCDFShowsEveryScenario(t *testing.T) {
	r := overlappingReport()
	ch, err := r.cdf()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ch.png()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// The plot area: below the title and the legend.
	top := int(float64(ch.headerHeight()) / 72 * pngDPI)
	bounds := img.Bounds()
	area := image.Rect(bounds.Min.X, bounds.Min.Y+top, bounds.Max.X, bounds.Max.Y)
	// A CDF line of a few steps across the plot is hundreds of pixels long;
	// a hidden one shows only where another line does not cover it.
	const minPixels = 300
	for i, s := range r.Scenarios {
		c := seriesColors[i%len(seriesColors)]
		if n := countColor(img, area, c); n < minPixels {
			t.Errorf("%s: %d pixels of its colour in the plot area, want at least %d: hidden by the others", s.Name, n, minPixels)
		}
	}
}

// countColor counts the pixels in area within a small distance of c.
func countColor(img image.Image, area image.Rectangle, c color.Color) int {
	r0, g0, b0, _ := c.RGBA()
	n := 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, r0) && near(g, g0) && near(b, b0) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint32) bool {
	d := int(a>>8) - int(b>>8)
	return d >= -12 && d <= 12
}
