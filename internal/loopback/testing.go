package loopback

import "context"

// TB is the part of testing.TB that New uses (so that this package, which
// the lab uses too, does not import package testing).
type TB interface {
	Helper()
	Fatal(args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

// New starts a CloudFront for a test: the POPs of specs for host (the
// custom domain the clients ask for) and distribution (dXXXX.cloudfront.net),
// one edge host each, no latency, the origin's defaults. It is closed when
// the test ends; a server that failed meanwhile fails the test.
func New(tb TB, host, distribution string, specs ...POPSpec) *CloudFront {
	tb.Helper()
	cf, err := Start(context.Background(), Config{Distribution: distribution, Host: host, POPs: specs})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := cf.Close(); err != nil {
			tb.Errorf("loopback CloudFront: %v", err)
		}
	})
	return cf
}
