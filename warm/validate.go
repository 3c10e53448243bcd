package warm

import (
	"net/url"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/probe"
)

// Validate checks every field (after defaults) and returns all problems at
// once as a *config.Error, or nil.
func (c Config) Validate() error { return c.withDefaults().validate() }

// validate checks a Config whose defaults are applied.
func (c Config) validate() error {
	var p config.Problems
	add := p.Add

	if c.Distribution == "" {
		add("distribution: required (the distribution domain, e.g. d111111abcdef8.cloudfront.net)")
	} else if _, err := cloudfront.DistributionLabel(c.Distribution); err != nil || !strings.HasSuffix(c.Distribution, cloudfront.DomainSuffix) {
		add("distribution %q: want the distribution domain, e.g. d111111abcdef8.cloudfront.net", c.Distribution)
	}
	if c.Host != "" && !cloudfront.ValidHostname(c.Host) { // "" only when Distribution is missing too
		add("host %q: want a DNS name such as api.example.com (no scheme, port or path)", c.Host)
	}
	if !strings.HasPrefix(c.Path, "/") {
		add("path %q: must start with /", c.Path)
	} else if u, err := url.Parse("https://h" + c.Path); err != nil || u.Host != "h" || strings.ContainsAny(c.Path, " \t\r\n#") {
		add("path %q: not a valid request path", c.Path)
	}
	if c.Method != "GET" && c.Method != "HEAD" {
		add("method %q: want GET or HEAD", c.Method)
	}
	validatePOPs(c.POPs, len(c.ClientSubnets), &p)
	validateSizing(c, &p)
	p.Range("concurrency", c.Concurrency, 1, MaxConcurrency)
	p.Range("waves", c.Waves, 1, MaxWaves)
	p.Range("port", c.Port, 1, 65535)
	checkDuration(&p, "request timeout", c.Timeout, MaxTimeout)
	checkDuration(&p, "keep-alive", c.KeepAlive, MaxKeepAlive)
	if c.Waves > 1 {
		checkDuration(&p, "wave interval", c.WaveInterval, MaxWaveInterval)
		if c.WaveInterval > 0 && c.KeepAlive > 0 && c.WaveInterval >= c.KeepAlive {
			add("wave interval %v: must be shorter than the CloudFront origin keep-alive %v, or the origin connections close between waves", c.WaveInterval, c.KeepAlive)
		}
	}
	if n, targets := c.maxPerPOP(), len(c.POPs)+len(c.ClientSubnets); c.Waves > 0 && n > 0 && c.mostRequests() > MaxRequestsPerRun {
		add("%d waves × %d POPs × %d requests = %d requests per run: more than the limit of %d", c.Waves, targets, n, c.mostRequests(), MaxRequestsPerRun)
	}
	if c.IPVersion != 0 && c.IPVersion != 4 && c.IPVersion != 6 {
		add("IP version %d: want 4, 6 or 0 (both)", c.IPVersion)
	}
	if c.DNSServer != "" {
		_, err := probe.DNSServerAddr(c.DNSServer)
		p.AddErr(err)
	}
	for _, err := range cloudfront.HeaderErrors(c.Header) {
		p.AddErr(err)
	}
	for name := range c.Header {
		if strings.EqualFold(name, "Host") {
			add("header Host: set the host instead (it is also the TLS server name)")
		}
	}
	if !cloudfront.ValidHeaderValue(c.UserAgent) {
		add("user agent: contains a line break or another control character")
	}
	if c.CAFile != "" && c.RootCAs != nil {
		add("CA file and root CAs: set one, not both")
	}
	if c.MaxBody < 0 || c.MaxBody > MaxBodyLimit {
		add("max body %d: want 0 to %d bytes", c.MaxBody, MaxBodyLimit)
	}
	return p.Err("prewarm configuration")
}

func validatePOPs(pops []string, subnets int, p *config.Problems) {
	if len(pops) == 0 && subnets == 0 {
		p.Add("POPs: at least one POP code (e.g. HKG54-C1) or client subnet is required")
	}
	if len(pops) > MaxPOPs {
		p.Add("POPs: %d codes is more than the limit of %d", len(pops), MaxPOPs)
	}
	seen := map[string]bool{}
	for _, code := range pops {
		switch {
		case !cloudfront.ValidPOPCode(code):
			_, err := cloudfront.NormalizePOPCode(code)
			p.AddErr(err)
		case seen[code]:
			p.Add("POP %s: listed twice", code)
		}
		seen[code] = true
	}
}

func checkDuration(p *config.Problems, what string, d, hi time.Duration) {
	if d <= 0 || d > hi {
		p.Add("%s %v: want more than 0 and at most %v", what, d, hi)
	}
}
