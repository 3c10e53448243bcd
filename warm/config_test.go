package warm

import (
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/config"
)

func validConfig() Config {
	return Config{Distribution: "d111111abcdef8.cloudfront.net", POPs: []string{"HKG54-C1", "FRA56-P3"}}
}

func TestValidateAcceptsAndDefaults(t *testing.T) {
	c := validConfig()
	c.POPs = []string{" hkg54-c1 ", "nrt57-p2"}
	c.Method = "head"
	if err := c.Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	d := c.withDefaults()
	want := Config{
		Host: "d111111abcdef8.cloudfront.net", Path: "/", Method: "HEAD", RequestsPerPOP: 60,
		Concurrency: 120, Timeout: 10 * time.Second, Waves: 1, WaveInterval: 20 * time.Second,
		KeepAlive: 60 * time.Second, Port: 443, MaxBody: 64 << 10,
	}
	if d.Host != want.Host || d.Path != want.Path || d.Method != want.Method || d.RequestsPerPOP != want.RequestsPerPOP ||
		d.Concurrency != want.Concurrency || d.Timeout != want.Timeout || d.Waves != want.Waves ||
		d.WaveInterval != want.WaveInterval || d.KeepAlive != want.KeepAlive || d.Port != want.Port || d.MaxBody != want.MaxBody {
		t.Errorf("defaults:\n got %+v\nwant %+v", d, want)
	}
	if strings.Join(d.POPs, ",") != "HKG54-C1,NRT57-P2" {
		t.Errorf("POP codes not normalized: %v", d.POPs)
	}
	if !strings.HasPrefix(d.UserAgent, "cfprewarm/") || d.Logger == nil {
		t.Errorf("user agent %q, logger %v", d.UserAgent, d.Logger)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no distribution", func(c *Config) { c.Distribution = "" }, "distribution: required"},
		{"distribution ID instead of domain", func(c *Config) { c.Distribution = "E2QWRUHAPOMQZL" }, "want the distribution domain"},
		{"custom domain as distribution", func(c *Config) { c.Distribution = "api.example.com" }, "want the distribution domain"},
		{"URL as host", func(c *Config) { c.Host = "https://api.example.com/" }, `host "https://api.example.com/"`},
		{"host with port", func(c *Config) { c.Host = "api.example.com:443" }, "no scheme, port or path"},
		{"relative path", func(c *Config) { c.Path = "healthz" }, "must start with /"},
		{"path with space", func(c *Config) { c.Path = "/a b" }, "not a valid request path"},
		{"POST", func(c *Config) { c.Method = "POST" }, "want GET or HEAD"},
		{"no POPs", func(c *Config) { c.POPs = nil }, "at least one POP code"},
		{"bad POP code", func(c *Config) { c.POPs = []string{"HKG540"} }, `POP code "HKG540": want three letters, one or two digits`},
		{"region instead of POP", func(c *Config) { c.POPs = []string{"ap-east-1"} }, "want three letters, one or two digits"},
		{"duplicate POP", func(c *Config) { c.POPs = []string{"HKG54-C1", "hkg54-c1"} }, "HKG54-C1: listed twice"},
		{"negative requests", func(c *Config) { c.RequestsPerPOP = -1 }, "requests per POP -1: want 1 to 1000"},
		{"absurd requests", func(c *Config) { c.RequestsPerPOP = 5000 }, "requests per POP 5000"},
		{"absurd concurrency", func(c *Config) { c.Concurrency = 1e6 }, "concurrency 1000000"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "request timeout -1s"},
		{"absurd timeout", func(c *Config) { c.Timeout = time.Hour }, "request timeout 1h0m0s"},
		{"absurd waves", func(c *Config) { c.Waves = 1000 }, "waves 1000: want 1 to 60"},
		{"interval equal to keep-alive", func(c *Config) { c.Waves, c.WaveInterval, c.KeepAlive = 3, 60*time.Second, 60*time.Second },
			"wave interval 1m0s: must be shorter than the CloudFront origin keep-alive 1m0s"},
		{"interval above default keep-alive", func(c *Config) { c.Waves, c.WaveInterval = 2, 90*time.Second }, "shorter than the CloudFront origin keep-alive"},
		{"negative interval", func(c *Config) { c.Waves, c.WaveInterval = 2, -time.Second }, "wave interval -1s"},
		{"port 0 after default is fine, 70000 is not", func(c *Config) { c.Port = 70000 }, "port 70000"},
		{"IP version 5", func(c *Config) { c.IPVersion = 5 }, "IP version 5"},
		{"bad DNS server", func(c *Config) { c.DNSServer = "127.0.0.1:99999" }, "DNS server"},
		{"Host header", func(c *Config) { c.Header = http.Header{"Host": {"x"}} }, "header Host: set the host instead"},
		{"bad header name", func(c *Config) { c.Header = http.Header{"X Bad": {"x"}} }, `header "X Bad"`},
		{"header injection", func(c *Config) { c.Header = http.Header{"X-A": {"a\r\nX-B: b"}} }, "line break"},
		{"both CA file and roots", func(c *Config) { c.CAFile, c.RootCAs = "ca.pem", x509.NewCertPool() }, "set one, not both"},
		{"too many requests per run", func(c *Config) {
			c.Waves, c.WaveInterval, c.RequestsPerPOP = 60, time.Second, 1000
		}, "more than the limit of 100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("error %v does not match config.ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not say %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Config{POPs: []string{"nope"}, Method: "PUT", RequestsPerPOP: -2, Waves: 2, WaveInterval: 2 * time.Minute}
	var ce *config.Error
	if !errors.As(c.Validate(), &ce) {
		t.Fatal("want a *config.Error")
	}
	want := []string{"distribution: required", `method "PUT"`, `POP code "nope"`, "requests per POP -2", "wave interval 2m0s"}
	if len(ce.Problems) != len(want) {
		t.Errorf("got %d problems, want %d: %q", len(ce.Problems), len(want), ce.Problems)
	}
	for i, w := range want {
		if i < len(ce.Problems) && !strings.Contains(ce.Problems[i].Error(), w) {
			t.Errorf("problem %d = %q, want it to say %q", i, ce.Problems[i], w)
		}
	}
}

func TestNewRunnerURLAndNames(t *testing.T) {
	c := validConfig()
	c.Host = "API.Example.com"
	c.Path = "/ping?x=1"
	r, err := NewRunner(c)
	if err != nil {
		t.Fatal(err)
	}
	if r.url != "https://api.example.com/ping?x=1" {
		t.Errorf("URL %q: port 443 must stay out of the Host", r.url)
	}
	if got := r.names["FRA56-P3"]; got != "d111111abcdef8.FRA56-P3.cloudfront.net" {
		t.Errorf("POP name %q", got)
	}
	c.Port = 8443
	r, _ = NewRunner(c)
	if r.url != "https://api.example.com:8443/ping?x=1" {
		t.Errorf("URL %q", r.url)
	}
	c.CAFile = "/nonexistent/ca.pem"
	if _, err := NewRunner(c); err == nil || !strings.Contains(err.Error(), "CA file") {
		t.Errorf("missing CA file: %v", err)
	}
}
