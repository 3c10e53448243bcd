package plan

import (
	"math"
	"math/bits"
	"time"
)

// histogram is a log-scale histogram of microseconds: 16 buckets per
// power of two (at most 4.4 % apart) up to 2^32 µs (71 minutes, beyond
// accesslog.MaxTTFB), constant size (2 KB).
type histogram [32 * 16]uint32

func bucket(us uint64) int {
	if us < 16 {
		return int(us)
	}
	e := bits.Len64(us) - 5 // us >> e has 5 bits: 16..31
	return (e+1)*16 + int(us>>e) - 16
}

// lowerBound returns the smallest value of bucket b.
func lowerBound(b int) uint64 {
	if b < 16 {
		return uint64(b)
	}
	e := b/16 - 1
	return uint64(b%16+16) << e
}

func (h *histogram) add(us uint64) { h[min(bucket(us), len(h)-1)]++ }

func (h *histogram) merge(o *histogram) {
	for i := range h {
		h[i] += o[i]
	}
}

// quantile returns the value below which a share q of the values lie (the
// middle of its bucket), or 0 when the histogram is empty.
func (h *histogram) quantile(q float64) time.Duration {
	var total uint64
	for _, n := range h {
		total += uint64(n)
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen uint64
	for b, n := range h {
		seen += uint64(n)
		if seen >= rank {
			lo, hi := lowerBound(b), lowerBound(b+1)
			return time.Duration((lo+hi)/2) * time.Microsecond
		}
	}
	return 0
}
