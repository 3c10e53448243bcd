package warm

import (
	"errors"
	"strconv"
	"strings"
)

// The rules every front end applies to the sizing settings it reads (the
// CLI's flags, the Lambda's environment and its event), so that they agree:
// "N|auto" for requests per POP, the range of a coverage, an explicit 0
// refused, and the settings only automatic sizing reads refused with a
// fixed count. Each front end names the setting in its own words (a flag,
// a variable, an event field); the rule and its reason are here.

// ErrZero is a count or duration given as 0. A zero field of Config means
// "the default", so a 0 given on purpose would silently become the default:
// it is refused instead.
var ErrZero = errors.New("must not be 0 (leave it unset for the default)")

// Auto is the text of automatic sizing in ParseRequests.
const Auto = "auto"

// ParseRequests reads requests per POP per wave: "auto" (automatic sizing,
// Config.Auto) or a whole number of at least 1 (Config.RequestsPerPOP).
func ParseRequests(s string) (n int, auto bool, err error) {
	s = strings.TrimSpace(s)
	if s == Auto {
		return 0, true, nil
	}
	n, err = strconv.Atoi(s)
	switch {
	case err == nil && n == 0:
		return 0, false, ErrZero
	case err != nil || n < 1:
		return 0, false, errors.New("want a whole number of at least 1, or auto")
	}
	return n, false, nil
}

// CheckCoverage checks a coverage: a share of a POP's edge hosts, more than
// 0 and less than 1 (1 would take infinitely many requests).
func CheckCoverage(v float64) error {
	if !(v > 0 && v < 1) {
		return errors.New("want more than 0 and less than 1, e.g. 0.99")
	}
	return nil
}

// ParseCoverage reads a coverage such as 0.99 (CheckCoverage).
func ParseCoverage(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, errors.New("want a share such as 0.99")
	}
	return v, CheckCoverage(v)
}

// The settings only automatic sizing reads, by Config field name: given with
// a fixed count they would be ignored.
const (
	FieldCoverage    = "Coverage"
	FieldMinRequests = "MinRequests"
	FieldMaxRequests = "MaxRequests"
	FieldAdapt       = "Adapt"
	FieldKnownHosts  = "KnownHosts"
)

// NeedsAuto returns the Config fields only automatic sizing reads that c
// sets (not zero) although it sizes with a fixed count, in the order
// Coverage, MinRequests, MaxRequests, Adapt, KnownHosts. A front end refuses
// each, naming it its own way; it leaves a setting zero when it was not
// given, so that this sees only what the user asked for.
func (c Config) NeedsAuto() []string {
	if c.Auto {
		return nil
	}
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{FieldCoverage, c.Coverage != 0}, {FieldMinRequests, c.MinRequests != 0}, {FieldMaxRequests, c.MaxRequests != 0},
		{FieldAdapt, c.Adapt}, {FieldKnownHosts, c.KnownHosts != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}
