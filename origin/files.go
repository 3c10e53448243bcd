package origin

import "fmt"

// ReservedFiles is what FitOpenFiles keeps of the open-file limit for the
// process's own files: the listeners, the runtime's poller, standard
// streams, the TLS files read at start, /proc reads of the process metrics.
const ReservedFiles = 64

// FitOpenFiles returns c with MaxConnections lowered, when needed, so that
// both connection caps and ReservedFiles fit within an open-file limit of
// limit (0: unknown, c is returned as is): beyond the limit accept fails
// with "too many open files" on every listener, and a connection waiting
// at the cap is better than one refused. note says what was lowered, for
// the log. A limit too low for a single connection is an error.
func (c Config) FitOpenFiles(limit uint64) (fitted Config, note string, err error) {
	c = c.withDefaults()
	if limit == 0 {
		return c, "", nil
	}
	others := uint64(ReservedFiles)
	if c.MetricsAddr != "" {
		others += uint64(c.MetricsMaxConnections)
	}
	if limit <= others {
		return c, "", fmt.Errorf("the open-file limit %d leaves no room for connections (%d are kept for the process and the metrics listener): raise it (ulimit -n; the ECS task's ulimits)", limit, others)
	}
	if room := limit - others; uint64(c.MaxConnections) > room {
		note = fmt.Sprintf("maximum connections lowered from %d to %d to fit the open-file limit of %d: raise the limit (ulimit -n; the ECS task's ulimits) for more", c.MaxConnections, room, limit)
		c.MaxConnections = int(room)
	}
	return c, note, nil
}
