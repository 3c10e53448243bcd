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
	"edgehosts":        1,
	"accesslog":        1,

	// 0: what a binary knows of its own build.
	"internal/buildinfo": 0,

	// 0: writing a file whole or not at all; a writer that keeps its first error.
	"internal/atomicfile": 0,
	"internal/errwriter":  0,

	// 1: one request, the origin, and the loopback networks' parts.
	"probe":                       1,
	"origin":                      1,
	"internal/loopback/link":      1,
	"internal/loopback/dnsserver": 1,
	"internal/loopback/labca":     1,

	// 2: engines built on one request; the POP emulator built on the origin.
	"probe/format":           2,
	"warm":                   2,
	"doctor":                 2,
	"plan":                   2,
	"internal/loopback/edge": 2,
	"internal/loopback":      3,

	// 3: reporters of the engines.
	"warm/format":   3,
	"doctor/format": 3,
	"plan/format":   3,
	"lab/report":    3,

	// 4: the whole system on loopback.
	"lab": 4,

	// 5: thin mains and benchmarks.
	"cmd/cfprewarm":        5,
	"cmd/prewarm-lambda":   5,
	"cmd/current-time-app": 5,
	"bench/origin-load":    5,
	"bench/wave":           5,
	"bench/wave/pops":      5,
}
