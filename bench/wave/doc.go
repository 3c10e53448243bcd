// Package wave holds the prewarm engine's benchmark (wave_test.go) and, in
// bench/wave/pops, the POP server it runs in another process. Run it with
// go test -run '^$' -bench Wave ./bench/wave/.
package wave
