package edgehosts

// Limits of a prewarm run: the prewarm engine (package warm) refuses a
// configuration beyond them, and the planner (package plan) plans within
// them. They live here, below both, so that the two share one number.
const (
	MaxRequestsPerPOP = 1000 // requests to one POP in one wave
	MaxWaves          = 60   // waves in one run (one Lambda invocation)
)
