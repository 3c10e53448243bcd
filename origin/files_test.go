package origin

import (
	"strings"
	"testing"
)

// FitOpenFiles lowers MaxConnections so that both caps fit in the
// open-file limit with room for the process's own files, and refuses a
// limit with no room for connections at all.
func TestFitOpenFiles(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MetricsAddr = "127.0.0.1:9090"
	for _, tc := range []struct {
		limit   uint64
		want    int
		lowered bool
		err     string
	}{
		{0, DefaultMaxConnections, false, ""}, // unknown: left alone
		{1 << 20, DefaultMaxConnections, false, ""},
		{DefaultMaxConnections + DefaultMetricsMaxConnections + ReservedFiles, DefaultMaxConnections, false, ""},
		{1024, 1024 - DefaultMetricsMaxConnections - ReservedFiles, true, ""},
		{ReservedFiles + DefaultMetricsMaxConnections, 0, false, "open-file limit 80 leaves no room"},
	} {
		got, note, err := cfg.FitOpenFiles(tc.limit)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("limit %d: %v, want an error saying %q", tc.limit, err, tc.err)
			}
		case err != nil || got.MaxConnections != tc.want || (note != "") != tc.lowered:
			t.Errorf("limit %d: max %d, note %q, %v; want %d", tc.limit, got.MaxConnections, note, err, tc.want)
		}
	}
	// Without a metrics listener its cap takes no file.
	cfg.MetricsAddr = ""
	if got, _, _ := cfg.FitOpenFiles(1024); got.MaxConnections != 1024-ReservedFiles {
		t.Errorf("no metrics listener: max %d, want %d", got.MaxConnections, 1024-ReservedFiles)
	}
}
