package lambdaenv

import (
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
)

// Encode writes settings as the environment Parse reads: a variable for
// every setting that is not zero (not the default), so that
// Parse(Encode(s)) is s for every s Parse can return. What has no variable
// (Config's UserAgent, RootCAs, Dial, MaxBody, Logger, KnownHosts, State)
// is left out, and a header keeps its first value. A Config with Auto
// writes REQUESTS_PER_POP=auto (RequestsPerPOP is not read then).
func Encode(s Settings) map[string]string {
	c := s.Config
	env := map[string]string{}
	set := func(name, v string) {
		if v != "" {
			env[name] = v
		}
	}
	count := func(name string, n int) {
		if n != 0 {
			env[name] = strconv.Itoa(n)
		}
	}
	set(VarDistribution, c.Distribution)
	set(VarHost, c.Host)
	set(VarPath, c.Path)
	set(VarMethod, c.Method)
	set(VarPOPs, strings.Join(c.POPs, ","))
	if c.Auto {
		env[VarRequestsPerPOP] = warm.Auto
	} else {
		count(VarRequestsPerPOP, c.RequestsPerPOP)
	}
	if c.Coverage != 0 {
		env[VarCoverage] = strconv.FormatFloat(c.Coverage, 'g', -1, 64)
	}
	count(VarMinRequests, c.MinRequests)
	count(VarMaxRequests, c.MaxRequests)
	if c.Adapt {
		env[VarAdapt] = "true"
	}
	count(VarHosts, c.Hosts)
	set(VarHostsFile, s.HostsFile)
	set(VarHostIDHeader, c.HostIDHeader)
	subnets := make([]string, len(c.ClientSubnets))
	for i, sn := range c.ClientSubnets {
		subnets[i] = sn.String()
	}
	set(VarClientSubnets, strings.Join(subnets, ","))
	set(VarTLSVersion, tlsVersion(c.TLSVersion))
	count(VarConcurrency, c.Concurrency)
	set(VarRequestTimeout, FormatDuration(c.Timeout))
	count(VarWaves, c.Waves)
	set(VarWaveInterval, FormatDuration(c.WaveInterval))
	set(VarKeepAlive, FormatDuration(c.KeepAlive))
	set(VarPeriod, FormatDuration(s.Period))
	count(VarPort, c.Port)
	count(VarIPVersion, c.IPVersion)
	set(VarDNSServer, c.DNSServer)
	set(VarHeaders, headers(c.Header))
	set(VarCAFile, c.CAFile)
	set(VarNamespace, s.Namespace)
	set(VarMetrics, string(s.Metrics))
	if s.LogLevel != slog.LevelInfo {
		env[VarLogLevel] = s.LogLevel.String()
	}
	if s.LogRequests {
		env[VarLogRequests] = "true"
	}
	set(VarEventOverrides, strings.Join(s.EventOverrides, ","))
	return env
}

// FormatDuration writes a duration as the environment and the CDK app take
// it: whole seconds as "40s" (not "40s" and "1m0s" by turns), anything else
// as Go writes it ("1.5s", "250ms"); 0 as "".
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

func tlsVersion(v uint16) string {
	switch v {
	case 0:
		return ""
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return strconv.Itoa(int(v)) // not a version Parse reads: refused there, as warm refuses it
}

// headers is the JSON object of HEADERS: one value per name.
func headers(h http.Header) string {
	if len(h) == 0 {
		return ""
	}
	m := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return string(b)
}
