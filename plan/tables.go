package plan

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
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

// Prices are the unit prices the costs are computed with (Prices.bill).
type Prices struct {
	Source   string `json:"source"`
	Date     string `json:"date"`
	Currency string `json:"currency"`
	// CloudFrontPer10000 is the price of 10,000 HTTPS requests, and
	// CloudFrontPerGB that of a GB of data transfer out to the internet
	// (the first 10 TB a month), by geography.
	CloudFrontPer10000 map[string]float64 `json:"cloudfront_https_per_10000"`
	CloudFrontPerGB    map[string]float64 `json:"cloudfront_data_out_per_gb"`
	Geographies        map[string]string  `json:"geographies,omitempty"`
	LambdaGBSecond     float64            `json:"lambda_gb_second"`
	LambdaPerMillion   float64            `json:"lambda_per_million_requests"`
	// SchedulerPerMillion: EventBridge Scheduler invocations;
	// RulePerMillion: the events of a plain scheduled rule.
	SchedulerPerMillion float64 `json:"scheduler_per_million"`
	RulePerMillion      float64 `json:"eventbridge_rule_per_million"`
	// CloudWatch: a custom metric a month, an alarm metric (standard
	// resolution) a month, a dashboard a month, a GB of logs ingested.
	MetricMonth      float64 `json:"cloudwatch_metric_month"`
	AlarmMetricMonth float64 `json:"cloudwatch_alarm_metric_month"`
	DashboardMonth   float64 `json:"cloudwatch_dashboard_month"`
	LogsPerGB        float64 `json:"cloudwatch_logs_per_gb"`
	// FreeTier is the monthly free tier of each usage line, by the line's
	// JSON name (Usage): account-wide, shared with everything else the
	// account runs, so the plan notes it and never subtracts it.
	FreeTier map[string]float64 `json:"free_tier,omitempty"`
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

// pricesFile is a prices file as read: a key it leaves out keeps the
// default, one it gives (0 included) replaces it.
type pricesFile struct {
	Source             *string            `json:"source"`
	Date               *string            `json:"date"`
	Currency           *string            `json:"currency"`
	CloudFrontPer10000 map[string]float64 `json:"cloudfront_https_per_10000"`
	CloudFrontPerGB    map[string]float64 `json:"cloudfront_data_out_per_gb"`
	Geographies        map[string]string  `json:"geographies"`
	FreeTier           map[string]float64 `json:"free_tier"`

	LambdaGBSecond      *float64 `json:"lambda_gb_second"`
	LambdaPerMillion    *float64 `json:"lambda_per_million_requests"`
	SchedulerPerMillion *float64 `json:"scheduler_per_million"`
	RulePerMillion      *float64 `json:"eventbridge_rule_per_million"`
	MetricMonth         *float64 `json:"cloudwatch_metric_month"`
	AlarmMetricMonth    *float64 `json:"cloudwatch_alarm_metric_month"`
	DashboardMonth      *float64 `json:"cloudwatch_dashboard_month"`
	LogsPerGB           *float64 `json:"cloudwatch_logs_per_gb"`
}

func parsePrices(r io.Reader, base Prices) (Prices, error) {
	var f pricesFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Prices{}, fmt.Errorf("prices file: %w", err)
	}
	out := base
	var err error
	if out.CloudFrontPer10000, err = mergePrices("cloudfront_https_per_10000", base.CloudFrontPer10000, f.CloudFrontPer10000); err != nil {
		return Prices{}, err
	}
	if out.CloudFrontPerGB, err = mergePrices("cloudfront_data_out_per_gb", base.CloudFrontPerGB, f.CloudFrontPerGB); err != nil {
		return Prices{}, err
	}
	// A free tier is a quantity, not a price: any number from 0 on.
	out.FreeTier = maps.Clone(base.FreeTier)
	for k, v := range f.FreeTier {
		if !(v >= 0 && !math.IsInf(v, 1)) {
			return Prices{}, fmt.Errorf("prices file: free_tier %q: %v is not a quantity", k, v)
		}
		if out.FreeTier == nil {
			out.FreeTier = map[string]float64{}
		}
		out.FreeTier[k] = v
	}
	for _, p := range []struct {
		name string
		v    *float64
		dst  *float64
	}{
		{"lambda_gb_second", f.LambdaGBSecond, &out.LambdaGBSecond},
		{"lambda_per_million_requests", f.LambdaPerMillion, &out.LambdaPerMillion},
		{"scheduler_per_million", f.SchedulerPerMillion, &out.SchedulerPerMillion},
		{"eventbridge_rule_per_million", f.RulePerMillion, &out.RulePerMillion},
		{"cloudwatch_metric_month", f.MetricMonth, &out.MetricMonth},
		{"cloudwatch_alarm_metric_month", f.AlarmMetricMonth, &out.AlarmMetricMonth},
		{"cloudwatch_dashboard_month", f.DashboardMonth, &out.DashboardMonth},
		{"cloudwatch_logs_per_gb", f.LogsPerGB, &out.LogsPerGB},
	} {
		if p.v == nil {
			continue
		}
		if !(*p.v >= 0 && *p.v <= maxPrice) {
			return Prices{}, fmt.Errorf("prices file: %s %v is not a price from 0 to %d", p.name, *p.v, maxPrice)
		}
		*p.dst = *p.v
	}
	for _, s := range []struct{ v, dst *string }{{f.Source, &out.Source}, {f.Date, &out.Date}, {f.Currency, &out.Currency}} {
		if s.v != nil && *s.v != "" {
			*s.dst = *s.v
		}
	}
	if f.Geographies != nil {
		out.Geographies = f.Geographies
	}
	return out, nil
}

// mergePrices returns base with the prices of over, each checked.
func mergePrices(name string, base, over map[string]float64) (map[string]float64, error) {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]float64{}
	}
	for _, k := range slices.Sorted(maps.Keys(over)) {
		v := over[k]
		if !(v >= 0 && v <= maxPrice) {
			return nil, fmt.Errorf("prices file: %s %q: %v is not a price from 0 to %d", name, k, v, maxPrice)
		}
		out[k] = v
	}
	return out, nil
}
