//go:build linux

package origin

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// quietSupported: Linux lets listen(2) change the backlog of a listening
// socket and reports its accept queue length in TCP_INFO.
const quietSupported = true

// setBacklogZero makes the kernel queue at most one completed connection
// (it drops SYNs while the queue holds more than the backlog).
func setBacklogZero(l *net.TCPListener) error {
	rc, err := l.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Listen(int(fd), 0) }); err != nil {
		return err
	}
	return lerr
}

// acceptQueueLen is the number of completed connections waiting for
// accept (tcpi_unacked of a listening socket).
func acceptQueueLen(l *net.TCPListener) (int, error) {
	rc, err := l.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		var info *unix.TCPInfo
		if info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); ierr == nil {
			n = int(info.Unacked)
		}
	}); err != nil {
		return 0, err
	}
	return n, ierr
}
