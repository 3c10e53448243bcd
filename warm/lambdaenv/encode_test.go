package lambdaenv

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
)

// randomSettings is a Settings such as Parse returns: every field the
// environment can carry, each either unset (zero) or a value Parse reads
// back exactly.
func randomSettings(rng *rand.Rand) Settings {
	maybe := func() bool { return rng.IntN(3) > 0 }
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	dur := func() time.Duration {
		if !maybe() {
			return 0
		}
		return []time.Duration{time.Second, 20 * time.Second, 90 * time.Second, 1500 * time.Millisecond,
			time.Duration(1 + rng.Int64N(int64(time.Hour)))}[rng.IntN(5)]
	}
	count := func(hi int) int {
		if !maybe() {
			return 0
		}
		return 1 + rng.IntN(hi)
	}
	var s Settings
	c := &s.Config
	if maybe() {
		c.Distribution = fmt.Sprintf("d%x.cloudfront.net", rng.Uint32())
	}
	if maybe() {
		c.Host = pick("api.example.com", "Example.COM.")
	}
	if maybe() {
		c.Path = pick("/", "/api/time?x=1", "/a b")
	}
	if maybe() {
		c.Method = pick("GET", "HEAD", "head")
	}
	for range rng.IntN(4) {
		c.POPs = append(c.POPs, pick("HKG54-C1", "fra56-p3", "NRT57-P2", "XYZ1"))
	}
	if rng.IntN(2) == 0 {
		c.Auto = true
		c.Coverage = []float64{0, 0.99, 0.5, 1.0 / 3, rng.Float64()*0.998 + 0.001}[rng.IntN(5)]
		c.MinRequests, c.MaxRequests = count(100), count(1000)
		c.Adapt = rng.IntN(2) == 0
		if maybe() {
			s.HostsFile = pick("hosts.json", "/var/task/hosts.csv")
		}
	} else {
		c.RequestsPerPOP = count(1000)
	}
	c.Hosts = count(64)
	if maybe() {
		c.HostIDHeader = pick("X-Cfprewarm-Edge-Server-Ip", "x-edge-id")
	}
	for range rng.IntN(3) {
		bits := rng.IntN(33)
		c.ClientSubnets = append(c.ClientSubnets, netip.PrefixFrom(netip.AddrFrom4([4]byte{203, 0, byte(rng.IntN(256)), byte(rng.IntN(256))}), bits).Masked())
	}
	if maybe() {
		c.ClientSubnets = append(c.ClientSubnets, netip.MustParsePrefix("2001:db8::/48"))
	}
	c.TLSVersion = []uint16{0, tls.VersionTLS12, tls.VersionTLS13}[rng.IntN(3)]
	c.Concurrency = count(2000)
	c.Timeout = dur()
	c.Waves = 1 + rng.IntN(60) // never 0: Parse sets the Lambda's default
	c.WaveInterval, c.KeepAlive = dur(), dur()
	*c = ruleDefaults(*c) // and the interval of several waves
	s.Period = dur()
	c.Port = count(65535)
	c.IPVersion = []int{0, 4, 6}[rng.IntN(3)]
	if maybe() {
		c.DNSServer = pick("127.0.0.1:53", "[::1]:5353")
	}
	if maybe() {
		c.CAFile = "/var/task/ca.pem"
	}
	if maybe() {
		c.Header = http.Header{}
		for range 1 + rng.IntN(3) {
			c.Header.Set(pick("X-Prewarm", "x-a", "Accept"), pick("1", "a=b, c", `"quoted"`, ""))
		}
	}
	if maybe() {
		s.Namespace = pick("CFPrewarm", "Test/Prewarm")
	}
	s.Metrics = []warm.MetricLevel{"", warm.MetricsLean, warm.MetricsFull}[rng.IntN(3)]
	s.LogLevel = []slog.Level{slog.LevelInfo, slog.LevelDebug, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}[rng.IntN(5)]
	s.LogRequests = rng.IntN(2) == 0
	for _, f := range TargetFields {
		if rng.IntN(4) == 0 {
			s.EventOverrides = append(s.EventOverrides, f)
		}
	}
	return s
}

// Encode writes what Parse reads: Parse(Encode(s)) is s, for thousands of
// generated settings, and Encode writes only the Lambda's variables.
func TestParseEncodeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	for i := range 5000 {
		s := randomSettings(rng)
		env := Encode(s)
		for name := range env {
			if !slices.Contains(Names, name) {
				t.Fatalf("Encode wrote %s, which is not a variable of the Lambda", name)
			}
		}
		back, err := Parse(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("settings %d: %+v\nencoded %v\ndoes not parse: %v", i, s, env, err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("settings %d:\n  %+v\nencoded %v\nparsed back as\n  %+v", i, s, env, back)
		}
	}
}

// Parse reads exactly the variables of Names: each one changes what it
// returns, and it asks for no other.
func TestParseReadsNames(t *testing.T) {
	asked := map[string]bool{}
	Parse(func(k string) string { asked[k] = true; return "" })
	for _, name := range Names {
		if !asked[name] {
			t.Errorf("Parse never reads %s", name)
		}
	}
	for name := range asked {
		if !slices.Contains(Names, name) {
			t.Errorf("Parse reads %s, which Names lacks", name)
		}
	}
	if len(Names) != len(slices.Compact(slices.Sorted(slices.Values(Names)))) {
		t.Errorf("Names lists a name twice: %v", Names)
	}
}

// Durations are written as the docs and the CDK app write them.
func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "", 40 * time.Second: "40s", time.Minute: "60s",
		1500 * time.Millisecond: "1.5s", 250 * time.Millisecond: "250ms", 90*time.Minute + time.Millisecond: "1h30m0.001s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestEncodeWritesOnlyWhatIsSet(t *testing.T) {
	cfg := warm.Config{Distribution: testDist, POPs: []string{"HKG54-C1", "FRA56-P3"}, RequestsPerPOP: 20, Waves: 3,
		WaveInterval: 40 * time.Second, KeepAlive: time.Minute}
	got := Encode(Settings{Config: cfg})
	want := map[string]string{VarDistribution: testDist, VarPOPs: "HKG54-C1,FRA56-P3", VarRequestsPerPOP: "20", VarWaves: "3",
		VarWaveInterval: "40s", VarKeepAlive: "60s"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Encode = %v\nwant     %v", got, want)
	}
	if got := Encode(Settings{Config: warm.Config{Auto: true, RequestsPerPOP: 7}}); !reflect.DeepEqual(got, map[string]string{VarRequestsPerPOP: "auto"}) {
		t.Errorf("auto: %v, want REQUESTS_PER_POP=auto alone", got)
	}
}
