package stacks

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func TestValidateTimeouts(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name                string
		keepAlive, app, nlb time.Duration
		wantOrder           bool
		wantMsg             string // substring; "" means valid
	}{
		{name: "defaults", keepAlive: 60 * s, app: 75 * s, nlb: 350 * s},
		{name: "max keep-alive", keepAlive: 180 * s, app: 181 * s, nlb: 350 * s},
		{name: "keep-alive equals app idle", keepAlive: 75 * s, app: 75 * s, nlb: 350 * s, wantOrder: true,
			wantMsg: "CloudFront keep-alive 75s is not shorter than the app idle timeout 75s"},
		{name: "app idle over NLB", keepAlive: 60 * s, app: 400 * s, nlb: 350 * s, wantOrder: true,
			wantMsg: "app idle timeout 400s is not shorter than the NLB idle timeout 350s"},
		{name: "keep-alive zero", keepAlive: 0, app: 75 * s, nlb: 350 * s, wantMsg: "CloudFront keep-alive 0s: must be whole seconds in [1s, 180s]"},
		{name: "keep-alive over 180", keepAlive: 181 * s, app: 200 * s, nlb: 350 * s, wantMsg: "CloudFront keep-alive 181s: must be whole seconds in [1s, 180s]"},
		{name: "fractional keep-alive", keepAlive: 1500 * time.Millisecond, app: 75 * s, nlb: 350 * s, wantMsg: "CloudFront keep-alive 1.5s"},
		{name: "NLB under 60", keepAlive: 10 * s, app: 20 * s, nlb: 30 * s, wantMsg: "NLB idle timeout 30s: must be whole seconds in [60s, 6000s]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateTimeouts(tc.keepAlive, tc.app, tc.nlb)
			wantError(t, err, tc.wantMsg)
			if got := errors.Is(err, ErrTimeoutOrder); got != tc.wantOrder {
				t.Errorf("errors.Is(err, ErrTimeoutOrder) = %v, want %v", got, tc.wantOrder)
			}
		})
	}
}

// TestBackendRefusesTimeoutOrder: synth fails with a clear error, and no
// stack is created, when keep-alive >= app idle timeout.
func TestBackendRefusesTimeoutOrder(t *testing.T) {
	app := newTestApp(t)
	_, err := NewCloudfrontDynamicAPIStack(app, "Refused", &CloudfrontDynamicAPIStackProps{
		StackProps:               awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-central-1")}},
		OriginDomainName:         "origin.example.com",
		CertificateARN:           testCertARN,
		KeepAlive:                90 * time.Second,
		AppIdleTimeout:           75 * time.Second,
		OriginFacingPrefixListID: testPrefixList,
	})
	const want = "Refused: timeouts out of order: need CloudFront keep-alive < app idle timeout < NLB idle timeout: CloudFront keep-alive 90s is not shorter than the app idle timeout 75s"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrTimeoutOrder) {
		t.Error("error does not wrap ErrTimeoutOrder")
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("refused stack still added %d constructs to the app", n)
	}
}
