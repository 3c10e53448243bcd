package plan

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkReadCounts reads a counts file as the Athena path produces it
// for a large distribution: 300 POPs, each busy in 2,400 seconds of a
// day (720,000 rows). The cost per row must not grow with the POPs.
func BenchmarkReadCounts(b *testing.B) {
	const pops, secs = 300, 2400
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	buf.WriteString("pop,second,requests,ttfb_n,ttfb_sum\n")
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()
	for s := range secs {
		sec := day + int64(s)*36
		for p := range pops {
			n := 1 + rng.IntN(5)
			fmt.Fprintf(&buf, "%c%c%c%d-C1,%d,%d,%d,%.6f\n", 'A'+p%26, 'A'+p/26%26, 'X', 50+p%40, sec, n, n, 0.2*float64(n))
		}
	}
	data := buf.Bytes()
	rows := float64(pops * secs)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		c, st, err := ReadCounts(bytes.NewReader(data), time.Time{}, time.Time{})
		if err != nil || st.Bad != 0 || len(c.pops) != pops {
			b.Fatalf("%+v %v, %d POPs", st, err, len(c.pops))
		}
	}
	b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPlan makes a plan of 100 POPs in every airport of the table
// (about 30 regions), each with a day of rare traffic, so that every POP
// is a candidate: the selection prices three options per region each
// round, and the comparison ten options for all of them.
func BenchmarkPlan(b *testing.B) {
	codes := slices.Sorted(maps.Keys(Airports))
	c := NewCounts()
	rng := rand.New(rand.NewPCG(3, 4))
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range 100 {
		pop := fmt.Sprintf("%s%d-C1", codes[i%len(codes)], 50+i/len(codes))
		for s := int64(0); s < 86400; s += 1 + rng.Int64N(600) {
			c.Add(pop, day+s, 0.3, true)
		}
	}
	cfg := DefaultConfig()
	cfg.OriginRTT, cfg.MinGainPerDollar = 190*time.Millisecond, 0
	b.ResetTimer()
	for b.Loop() {
		p, err := Run(context.Background(), Input{Counts: c}, cfg)
		if err != nil || len(p.Selected()) < 90 {
			b.Fatalf("%v: %d POPs warmed", err, len(p.Selected()))
		}
	}
}
