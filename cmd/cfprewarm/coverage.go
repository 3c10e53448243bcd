package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/origin"
	"github.com/cfprewarm/cfprewarm/warm"
)

// sizingFlags are warm's flags for request sizing, edge host counting,
// client-subnet targets and TLS (issue 11): --requests N|auto and the rest.
type sizingFlags struct {
	requests    string
	coverage    float64
	minRequests int
	maxRequests int
	adapt       bool
	hosts       int
	hostsFile   string
	hostsOut    string
	subnets     []string
	tlsVersion  string
	hostID      string
}

func (f *sizingFlags) register(fs *flagSet) {
	fs.StringVar(&f.requests, "requests", strconv.Itoa(warm.DefaultRequestsPerPOP),
		"requests per POP per wave, or 'auto': the fewest that reach --coverage of the POP's edge hosts, counted from their ids")
	fs.Float64Var(&f.coverage, "coverage", warm.DefaultCoverage, "auto: share of a POP's edge hosts one wave should reach")
	fs.IntVar(&f.minRequests, "min-requests", warm.DefaultMinRequests, "auto: requests per POP per wave at least")
	fs.IntVar(&f.maxRequests, "max-requests", warm.DefaultMaxRequests, "auto: requests per POP per wave at most")
	fs.BoolVar(&f.adapt, "adapt", false, "auto: adjust each POP's requests wave by wave from the origin-cold ratio the waves find")
	fs.IntVar(&f.hosts, "hosts", warm.DefaultHosts, "auto: edge hosts assumed of a POP until they are counted (and when they cannot be)")
	fs.StringVar(&f.hostsFile, "hosts-file", "", "auto: read POPs' edge host counts from `FILE` (a hosts file, JSON or pop,hosts CSV) until they are counted")
	fs.StringVar(&f.hostsOut, "hosts-out", "", "write the POPs' edge host counts to `FILE` after each run (the hosts file 'cfprewarm plan' reads)")
	fs.StringSliceVar(&f.subnets, "client-subnet", nil, "also warm the POP that viewers in `CIDR` get: resolve the distribution with EDNS Client Subnet (repeatable)")
	fs.StringVar(&f.hostID, "host-id-header", "", "count edge hosts by this response `header` instead of the via id: "+cloudfront.HeaderEdgeServerIP+" on the origin's "+origin.HostIDPath+" path (--path), see docs/doctor.md")
	fs.StringVar(&f.tlsVersion, "tls-version", "1.2", "highest TLS version offered, 1.2 (its session resumption needs no key exchange) or 1.3; a POP that speaks only TLS 1.3 gets it either way")
}

// autoOnlyFlags are the flags of warm's settings only automatic sizing
// reads (warm.Config.NeedsAuto).
var autoOnlyFlags = map[string]string{
	warm.FieldCoverage: "coverage", warm.FieldMinRequests: "min-requests", warm.FieldMaxRequests: "max-requests",
	warm.FieldAdapt: "adapt", warm.FieldKnownHosts: "hosts-file",
}

// apply checks the flags and sets them in cfg: warm's rules for "N|auto"
// (warm.ParseRequests) and for the settings only automatic sizing reads
// (warm.Config.NeedsAuto), which are set only when given.
func (f *sizingFlags) apply(fs *flagSet, cfg *warm.Config) error {
	if err := refuseZero(fs, "coverage", "min-requests", "max-requests", "hosts"); err != nil {
		return err
	}
	n, auto, err := warm.ParseRequests(f.requests)
	if err != nil {
		return usagef("--requests %q: %v", f.requests, err)
	}
	cfg.RequestsPerPOP, cfg.Auto, cfg.Adapt, cfg.Hosts = n, auto, f.adapt, f.hosts
	if fs.Changed("coverage") {
		cfg.Coverage = f.coverage
	}
	if fs.Changed("min-requests") {
		cfg.MinRequests = f.minRequests
	}
	if fs.Changed("max-requests") {
		cfg.MaxRequests = f.maxRequests
	}
	if f.hostsFile != "" {
		known, err := edgehosts.ReadFile(f.hostsFile)
		if err != nil {
			return usageError{err}
		}
		cfg.KnownHosts = known
		if k, ok := edgehosts.KeepAliveOf(known); ok && !fs.Changed("keepalive") {
			cfg.KeepAlive = k // measured by cfprewarm doctor
		}
	}
	if given := cfg.NeedsAuto(); len(given) > 0 {
		return usagef("--%s needs --requests auto", autoOnlyFlags[given[0]])
	}
	if fs.Changed("host-id-header") && !cloudfront.ValidToken(f.hostID) {
		return usagef("--host-id-header %q: want a header name such as %s", f.hostID, cloudfront.HeaderEdgeServerIP)
	}
	cfg.HostIDHeader = f.hostID
	v, err := warm.ParseTLSVersion(f.tlsVersion)
	if err != nil {
		return usagef("--tls-version %q: %v", f.tlsVersion, err)
	}
	cfg.TLSVersion = v
	for _, s := range splitList(f.subnets) {
		p, err := warm.ParseClientSubnet(s)
		if err != nil {
			return usagef("--client-subnet %q: %v", s, err)
		}
		cfg.ClientSubnets = append(cfg.ClientSubnets, p)
	}
	if fs.Changed("hosts-out") && strings.TrimSpace(f.hostsOut) == "" {
		return usagef("--hosts-out is empty: give a file name")
	}
	if f.hostsOut != "" { // before any billed request, not after the run
		return checkOutFile("--hosts-out", f.hostsOut)
	}
	return nil
}

// writeHosts writes the runner's hosts file to --hosts-out, if given.
func (f *sizingFlags) writeHosts(r *warm.Runner) error {
	if f.hostsOut == "" {
		return nil
	}
	if err := edgehosts.WriteFile(f.hostsOut, r.HostsFile()); err != nil {
		return fmt.Errorf("--hosts-out: %w", err)
	}
	return nil
}
