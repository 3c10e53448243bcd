package cloudfront

import (
	"strings"
	"time"
)

// OriginConn says whether the POP reused a connection to the origin for a
// request, as cdn-upstream-connect tells.
type OriginConn int

const (
	OriginUnknown OriginConn = iota // no cdn-upstream-connect metric
	OriginWarm                      // cdn-upstream-connect dur=0: reused
	OriginCold                      // cdn-upstream-connect dur>0: new connection
)

func (o OriginConn) String() string {
	switch o {
	case OriginWarm:
		return "warm"
	case OriginCold:
		return "cold"
	default:
		return "unknown"
	}
}

// MarshalText makes OriginConn appear as "warm", "cold" or "unknown" in JSON.
func (o OriginConn) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (o *OriginConn) UnmarshalText(b []byte) error {
	switch string(b) {
	case "warm":
		*o = OriginWarm
	case "cold":
		*o = OriginCold
	default:
		*o = OriginUnknown
	}
	return nil
}

// OriginFromMetrics reads cdn-upstream-connect: dur=0 means the POP reused an
// origin connection, dur>0 that it opened one. It returns the connect time.
func OriginFromMetrics(ms []Metric) (OriginConn, time.Duration) {
	for _, m := range ms {
		if !strings.EqualFold(m.Name, MetricUpstreamConnect) || !m.HasDur {
			continue
		}
		if m.Dur == 0 {
			return OriginWarm, 0
		}
		return OriginCold, time.Duration(m.Dur * float64(time.Millisecond))
	}
	return OriginUnknown, 0
}
