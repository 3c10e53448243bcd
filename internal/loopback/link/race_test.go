//go:build race

package link

// raceEnabled: the race detector slows CPU work (a TLS handshake's
// signatures) several times, which the fidelity tests allow for.
const raceEnabled = true
