// Package layers holds the project's import rules and the test that keeps
// them: every package of the module has a layer, and a package imports only
// packages of lower layers (its tests may also use the loopback fakes and
// the package's own reporters). docs/architecture.md explains the layers;
// Layers below is the table the test checks. A new package gets a row here
// before it compiles into the tree's test run.
package layers

// Layers maps each package (import path below the module) to its layer.
// Arrows point down only: a package may import packages of a lower layer.
var Layers = map[string]int{
	// 0: vocabulary and building blocks that know nothing of the others.
	"cloudfront":       0,
	"stats":            0,
	"pace":             0,
	"internal/config":  0,
	"internal/jsonobj": 0,
	"internal/layers":  0,

	// 0: what a binary knows of its own build; the mains' flag style.
	"internal/buildinfo": 0,
	"internal/flagstyle": 0,

	// 0: writing a file whole or not at all; a writer that keeps its first error.
	"internal/atomicfile": 0,
	"internal/errwriter":  0,

	// 1: one request, the origin, what is known of edge hosts, access logs,
	// and the loopback networks' parts.
	"edgehosts":                   1,
	"accesslog":                   1,
	"probe":                       1,
	"origin":                      1,
	"internal/loopback/link":      1,
	"internal/loopback/dnsserver": 1,
	"internal/loopback/labca":     1,
	"internal/ociimage":           1, // container images (go-containerregistry), built on buildinfo

	// 1: the wave schedule model (grid, slots, gaps, lateness), below
	// warm, plan and the Lambda that take its numbers.
	"schedule": 1,

	// 2: the probe's reporters; the prewarm engine (built on probe and
	// edgehosts) and the planner (on accesslog and edgehosts); the POP
	// emulator, built on the links and the access-log writer.
	"probe/format":           2,
	"warm":                   2,
	"doctor":                 2,
	"plan":                   2,
	"internal/loopback/edge": 2,

	// 3: reporters of the engines; a whole CloudFront on loopback (the
	// origin, the POP emulator, DNS, the CA).
	"warm/format":       3,
	"doctor/format":     3,
	"lab/report":        3,
	"internal/loopback": 3,

	// 3: the prewarm Lambda's contract (environment, event, timeout).
	"warm/lambdaenv": 3,

	// 4: the planner's reporters, which write the Lambda's contract.
	"plan/format": 4,

	// 3: the prewarm daemon's Prometheus exporter, fed like a reporter.
	"warm/promexport": 3,

	// 4: the whole system on loopback.
	"lab": 4,

	// 5: mains (flags, environment and events bound to Configs) and benchmarks.
	"cmd/cfprewarm":        5,
	"cmd/prewarm-lambda":   5,
	"cmd/current-time-app": 5,
	"cmd/ociimage":         5,
	"bench/origin-load":    5,
	"bench/wave":           5,
	"bench/wave/pops":      5,
}
