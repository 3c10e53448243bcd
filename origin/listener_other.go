//go:build !linux

package origin

import (
	"errors"
	"net"
)

// quietSupported: outside Linux the listener is closed without quieting,
// which may reset connections the kernel completed but the server had not
// yet accepted.
const quietSupported = false

var errNoQuiet = errors.New("quieting a listener needs Linux")

func setBacklogZero(*net.TCPListener) error { return errNoQuiet }

func acceptQueueLen(*net.TCPListener) (int, error) { return 0, errNoQuiet }
