package plan

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Airport is what the planner knows of a POP from the airport code its
// name starts with (HKG62-C1 → HKG).
type Airport struct {
	Code      string `json:"airport"`
	City      string `json:"city"`
	Geography string `json:"geography"` // a key of Prices.CloudFrontPer10000
	Region    string `json:"region"`    // the AWS region of its prewarm Lambda
}

//go:embed regions.csv
var regionsCSV []byte

//go:embed prices.json
var pricesJSON []byte

// Airports is the table of regions.csv: airport code → what is known.
var Airports = mustAirports(regionsCSV)

func mustAirports(b []byte) map[string]Airport {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		panic(fmt.Sprintf("plan: regions.csv: %v", err))
	}
	out := map[string]Airport{}
	for _, row := range rows[1:] {
		out[row[0]] = Airport{Code: row[0], City: row[1], Geography: row[2], Region: row[3]}
	}
	return out
}

// LookupPOP returns the airport of a POP code, and false when the table
// does not have it.
func LookupPOP(pop string) (Airport, bool) {
	if len(pop) < 3 {
		return Airport{}, false
	}
	a, ok := Airports[strings.ToUpper(pop[:3])]
	return a, ok
}

// Prices are the unit prices the costs are computed with.
type Prices struct {
	Source   string `json:"source"`
	Date     string `json:"date"`
	Currency string `json:"currency"`
	// CloudFrontPer10000 is the price of 10,000 HTTPS requests by geography.
	CloudFrontPer10000 map[string]float64 `json:"cloudfront_https_per_10000"`
	Geographies        map[string]string  `json:"geographies,omitempty"`
	LambdaGBSecond     float64            `json:"lambda_gb_second"`
	LambdaPerMillion   float64            `json:"lambda_per_million_requests"`
}

// DefaultPrices is the project's prices.json.
func DefaultPrices() Prices {
	p, err := parsePrices(bytes.NewReader(pricesJSON), Prices{})
	if err != nil {
		panic(err)
	}
	return p
}

// maxPrice bounds every unit price of a prices file: real ones are cents
// (per 10,000 requests, per GB-second, per million invocations), and one
// beyond it is a mistake that would make every cost infinite.
const maxPrice = 1000

// ReadPrices reads a prices file over the defaults: keys it has replace
// the default's, the rest stay.
func ReadPrices(r io.Reader) (Prices, error) { return parsePrices(r, DefaultPrices()) }

func parsePrices(r io.Reader, base Prices) (Prices, error) {
	var p Prices
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Prices{}, fmt.Errorf("prices file: %w", err)
	}
	out := base
	out.CloudFrontPer10000 = maps.Clone(base.CloudFrontPer10000)
	if out.CloudFrontPer10000 == nil {
		out.CloudFrontPer10000 = map[string]float64{}
	}
	for _, k := range slices.Sorted(maps.Keys(p.CloudFrontPer10000)) {
		v := p.CloudFrontPer10000[k]
		if !(v >= 0 && v <= maxPrice) {
			return Prices{}, fmt.Errorf("prices file: cloudfront_https_per_10000 %q: %v is not a price from 0 to %d", k, v, maxPrice)
		}
		out.CloudFrontPer10000[k] = v
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"lambda_gb_second", p.LambdaGBSecond}, {"lambda_per_million_requests", p.LambdaPerMillion}} {
		if !(f.v >= 0 && f.v <= maxPrice) {
			return Prices{}, fmt.Errorf("prices file: %s %v is not a price from 0 to %d", f.name, f.v, maxPrice)
		}
	}
	if p.Source != "" {
		out.Source = p.Source
	}
	if p.Date != "" {
		out.Date = p.Date
	}
	if p.Currency != "" {
		out.Currency = p.Currency
	}
	if p.Geographies != nil {
		out.Geographies = p.Geographies
	}
	if p.LambdaGBSecond > 0 {
		out.LambdaGBSecond = p.LambdaGBSecond
	}
	if p.LambdaPerMillion > 0 {
		out.LambdaPerMillion = p.LambdaPerMillion
	}
	return out, nil
}
