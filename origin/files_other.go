//go:build !unix

package origin

// RaiseOpenFileLimit does nothing here and reports the limit unknown (0).
func RaiseOpenFileLimit() (uint64, error) { return 0, nil }
