package stacks

import (
	"errors"
	"fmt"
	"time"
)

// Bounds the backend accepts for its connection timeouts.
const (
	// MinKeepAlive and MaxKeepAlive bound CloudFront's origin keep-alive
	// timeout (the console accepts up to 180 s; more needs a quota increase).
	MinKeepAlive = 1 * time.Second
	MaxKeepAlive = 180 * time.Second
	// MinNLBIdleTimeout and MaxNLBIdleTimeout bound the NLB listener's TCP
	// idle timeout (tcp.idle_timeout.seconds, AWS default 350 s).
	MinNLBIdleTimeout = 60 * time.Second
	MaxNLBIdleTimeout = 6000 * time.Second
)

// ErrTimeoutOrder is wrapped by ValidateTimeouts when the timeouts do not
// satisfy CloudFront keep-alive < app idle timeout < NLB idle timeout.
var ErrTimeoutOrder = errors.New("timeouts out of order: need CloudFront keep-alive < app idle timeout < NLB idle timeout")

// ValidateTimeouts checks the timeouts along the connection path. An idle
// origin connection must be closed by CloudFront first: if the app or the
// load balancer closed it first, CloudFront could send a request on a
// connection that is being torn down and the viewer would see a 502.
func ValidateTimeouts(keepAlive, appIdle, nlbIdle time.Duration) error {
	var errs []error
	if keepAlive < MinKeepAlive || keepAlive > MaxKeepAlive || keepAlive%time.Second != 0 {
		errs = append(errs, fmt.Errorf("CloudFront keep-alive %s: must be whole seconds in [%s, %s]", envDuration(keepAlive), envDuration(MinKeepAlive), envDuration(MaxKeepAlive)))
	}
	if appIdle%time.Second != 0 || appIdle <= 0 {
		errs = append(errs, fmt.Errorf("app idle timeout %s: must be a positive whole number of seconds", envDuration(appIdle)))
	}
	if nlbIdle < MinNLBIdleTimeout || nlbIdle > MaxNLBIdleTimeout || nlbIdle%time.Second != 0 {
		errs = append(errs, fmt.Errorf("NLB idle timeout %s: must be whole seconds in [%s, %s]", envDuration(nlbIdle), envDuration(MinNLBIdleTimeout), envDuration(MaxNLBIdleTimeout)))
	}
	if keepAlive >= appIdle {
		errs = append(errs, fmt.Errorf("%w: CloudFront keep-alive %s is not shorter than the app idle timeout %s", ErrTimeoutOrder, envDuration(keepAlive), envDuration(appIdle)))
	}
	if appIdle >= nlbIdle {
		errs = append(errs, fmt.Errorf("%w: app idle timeout %s is not shorter than the NLB idle timeout %s", ErrTimeoutOrder, envDuration(appIdle), envDuration(nlbIdle)))
	}
	return errors.Join(errs...)
}

// envDuration renders a duration the way the app and the Lambda read it
// from their environment: "60s" rather than Go's "1m0s" for whole seconds.
func envDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", int64(d/time.Second))
	}
	return d.String()
}
