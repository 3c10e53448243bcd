// Package lambdaenv is the prewarm Lambda's contract: the environment
// variables that configure it (the names, Parse and Encode), the
// invocation event that may only narrow them (Narrow), and the function
// timeout their waves need (FunctionTimeout). cmd/prewarm-lambda reads its
// configuration with it; plan/format writes the environment and the CDK
// entries with it; infra, a module of its own, is tied to it by contract
// tests (the names, and testdata/function-timeout.json for the timeout).
// It knows nothing of AWS. See docs/warm.md, "The Lambda function".
package lambdaenv

// The environment variables, in the order of docs/warm.md's table (Names).
// Each name is written here and nowhere else in the module.
const (
	VarDistribution   = "DISTRIBUTION_DOMAIN"
	VarHost           = "HOST"
	VarPath           = "URL_PATH" // never PATH: that is the process's search path
	VarMethod         = "METHOD"
	VarPOPs           = "POPS"
	VarRequestsPerPOP = "REQUESTS_PER_POP"
	VarCoverage       = "COVERAGE"
	VarMinRequests    = "MIN_REQUESTS"
	VarMaxRequests    = "MAX_REQUESTS"
	VarAdapt          = "ADAPT"
	VarHosts          = "HOSTS"
	VarHostsFile      = "HOSTS_FILE"
	VarHostIDHeader   = "HOST_ID_HEADER"
	VarClientSubnets  = "CLIENT_SUBNETS"
	VarTLSVersion     = "TLS_VERSION"
	VarConcurrency    = "CONCURRENCY"
	VarRequestTimeout = "REQUEST_TIMEOUT"
	VarWaves          = "WAVES"
	VarWaveInterval   = "WAVE_INTERVAL"
	VarKeepAlive      = "KEEPALIVE"
	VarPeriod         = "PERIOD"
	VarPort           = "PORT"
	VarIPVersion      = "IP_VERSION"
	VarDNSServer      = "DNS_SERVER"
	VarHeaders        = "HEADERS"
	VarCAFile         = "CA_FILE"
	VarNamespace      = "EMF_NAMESPACE"
	VarMetrics        = "METRICS"
	VarLogLevel       = "LOG_LEVEL"
	VarLogRequests    = "LOG_REQUESTS"
	VarEventOverrides = "EVENT_OVERRIDES"
)

// Names are every variable the Lambda reads, in the order of docs/warm.md's
// table; Encode's output is written in this order.
var Names = []string{
	VarDistribution, VarHost, VarPath, VarMethod, VarPOPs, VarRequestsPerPOP, VarCoverage, VarMinRequests,
	VarMaxRequests, VarAdapt, VarHosts, VarHostsFile, VarHostIDHeader, VarClientSubnets, VarTLSVersion, VarConcurrency,
	VarRequestTimeout, VarWaves, VarWaveInterval, VarKeepAlive, VarPeriod, VarPort, VarIPVersion, VarDNSServer,
	VarHeaders, VarCAFile, VarNamespace, VarMetrics, VarLogLevel, VarLogRequests, VarEventOverrides,
}
