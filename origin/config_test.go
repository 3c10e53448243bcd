package origin

import (
	"crypto/tls"
	"errors"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.IdleTimeout != 75*time.Second || cfg.ReadTimeout != 15*time.Second ||
		cfg.DrainPeriod != 15*time.Second || cfg.ShutdownTimeout != 10*time.Second || cfg.MaxConnections != 10000 ||
		cfg.MetricsAddr != "" || cfg.VerifyHeader != "X-Origin-Verify" {
		t.Errorf("defaults = %+v", cfg)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero Config takes the defaults, got %v", err)
	}
}

func TestValidate(t *testing.T) {
	withCert := &tls.Config{Certificates: []tls.Certificate{{}}}
	tests := []struct {
		name      string
		cfg       Config
		wantErrs  []string // each must appear in the error
		wantOrder bool     // errors.Is(err, ErrTimeoutOrder)
	}{
		{name: "order respected", cfg: Config{IdleTimeout: 75 * time.Second, CloudFrontKeepAlive: 60 * time.Second, LoadBalancerIdle: 350 * time.Second}},
		{name: "only CloudFront given", cfg: Config{IdleTimeout: 61 * time.Second, CloudFrontKeepAlive: 60 * time.Second}},
		{name: "only load balancer given", cfg: Config{IdleTimeout: 59 * time.Second, LoadBalancerIdle: 60 * time.Second}},
		{name: "default idle vs CloudFront 180s", cfg: Config{CloudFrontKeepAlive: 180 * time.Second},
			wantErrs: []string{"idle timeout 1m15s must be longer than the CloudFront origin keep-alive timeout 3m0s"}, wantOrder: true},
		{name: "idle equal to CloudFront", cfg: Config{IdleTimeout: 60 * time.Second, CloudFrontKeepAlive: 60 * time.Second},
			wantErrs: []string{"must be longer than the CloudFront"}, wantOrder: true},
		{name: "idle equal to load balancer", cfg: Config{IdleTimeout: 60 * time.Second, LoadBalancerIdle: 60 * time.Second},
			wantErrs: []string{"idle timeout 1m0s must be shorter than the load balancer idle timeout 1m0s"}, wantOrder: true},
		{name: "both sides wrong", cfg: Config{IdleTimeout: 30 * time.Second, CloudFrontKeepAlive: 60 * time.Second, LoadBalancerIdle: 20 * time.Second},
			wantErrs: []string{"longer than the CloudFront", "shorter than the load balancer"}, wantOrder: true},
		{name: "negative durations", cfg: Config{IdleTimeout: -1, ReadHeaderTimeout: -1, WriteTimeout: -1, ShutdownTimeout: -1, CloudFrontKeepAlive: -1, LoadBalancerIdle: -1},
			wantErrs: []string{"idle timeout -1ns is negative", "read-header timeout", "write timeout", "shutdown timeout", "CloudFront keep-alive timeout -1ns", "load balancer idle timeout -1ns"}},
		{name: "nonsense timeouts below the floors", cfg: Config{IdleTimeout: time.Nanosecond, ReadHeaderTimeout: time.Nanosecond, ReadTimeout: time.Millisecond, WriteTimeout: 99 * time.Millisecond, ShutdownTimeout: time.Microsecond},
			wantErrs: []string{"idle timeout 1ns is below the floor of 1ms", "read-header timeout 1ns is below the floor of 100ms", "read timeout 1ms is below the floor", "write timeout 99ms is below the floor", "shutdown timeout 1µs is below the floor"}},
		{name: "floors themselves are fine", cfg: Config{IdleTimeout: MinIdleTimeout, ReadHeaderTimeout: MinTimeout, ReadTimeout: MinTimeout, WriteTimeout: MinTimeout, ShutdownTimeout: MinTimeout}},
		{name: "read timeout shorter than read-header timeout", cfg: Config{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Second},
			wantErrs: []string{"read timeout 5s is shorter than the read-header timeout 10s"}},
		{name: "read timeout follows a longer read-header timeout", cfg: Config{ReadHeaderTimeout: 20 * time.Second}},
		{name: "no drain", cfg: Config{DrainPeriod: NoDrain}},
		{name: "negative drain", cfg: Config{DrainPeriod: -time.Second}, wantErrs: []string{"drain period -1s is negative"}},
		{name: "negative connection cap", cfg: Config{MaxConnections: -1}, wantErrs: []string{"maximum connections -1: want at least 1"}},
		{name: "metrics on their own port", cfg: Config{Addr: ":8080", MetricsAddr: ":9090"}},
		{name: "metrics on the listen address", cfg: Config{Addr: ":8080", MetricsAddr: ":8080"}, wantErrs: []string{`metrics listen address ":8080" is the listen address`}},
		{name: "two free ports", cfg: Config{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0"}},
		{name: "headers limit too low", cfg: Config{MaxHeaderBytes: 20480}, wantErrs: []string{"maximum header bytes 20480: want 24576"}},
		{name: "headers limit too high", cfg: Config{MaxHeaderBytes: 2 << 20}, wantErrs: []string{"maximum header bytes 2097152: want"}},
		{name: "metrics cap", cfg: Config{MetricsMaxConnections: -1}, wantErrs: []string{"maximum metrics connections -1: want at least 1"}},
		{name: "metrics address without port", cfg: Config{MetricsAddr: "10.0.0.1"}, wantErrs: []string{`metrics listen address "10.0.0.1": missing port`}},
		{name: "cert without key", cfg: Config{CertFile: "cert.pem"}, wantErrs: []string{"both a certificate file and a key file"}},
		{name: "key without cert", cfg: Config{KeyFile: "key.pem"}, wantErrs: []string{"both a certificate file and a key file"}},
		{name: "TLS config without certificate", cfg: Config{TLSConfig: &tls.Config{}}, wantErrs: []string{"TLS config has no certificate"}},
		{name: "TLS config wins over files", cfg: Config{TLSConfig: withCert, CertFile: "only-cert.pem"}},
		{name: "address without port", cfg: Config{Addr: "127.0.0.1"}, wantErrs: []string{`listen address "127.0.0.1": missing port`}},
		{name: "address with bad port", cfg: Config{Addr: ":http-alt"}, wantErrs: []string{"is not a number"}},
		{name: "IPv6 address", cfg: Config{Addr: "[::1]:8080"}},
		{name: "bad header name", cfg: Config{VerifyHeader: "X Origin"}, wantErrs: []string{`header name "X Origin" is not a valid`}},
		{name: "secret with newline", cfg: Config{VerifySecret: "abc\n"}, wantErrs: []string{"secret must be printable ASCII"}},
		{name: "secret with trailing space", cfg: Config{VerifySecret: "abc "}, wantErrs: []string{"secret must be printable ASCII"}},
		{name: "secret fine", cfg: Config{VerifySecret: "s3cr3t-with inner space"}},
		{name: "every problem at once", cfg: Config{Addr: "nope", CertFile: "c", IdleTimeout: 10 * time.Second, CloudFrontKeepAlive: 60 * time.Second, VerifyHeader: "a:b"},
			wantErrs: []string{"listen address", "key file", "CloudFront", "header name"}, wantOrder: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.wantErrs)
			}
			for _, want := range tt.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			var ce *config.Error
			if !errors.As(err, &ce) || len(ce.Problems) != len(tt.wantErrs) {
				t.Errorf("problems reported: %v, want %d:\n%v", ce, len(tt.wantErrs), err)
			}
			if got := errors.Is(err, ErrTimeoutOrder); got != tt.wantOrder {
				t.Errorf("errors.Is(err, ErrTimeoutOrder) = %v, want %v", got, tt.wantOrder)
			}
		})
	}
}

func TestNewServerRefusesInvalidConfig(t *testing.T) {
	_, err := NewServer(Config{IdleTimeout: 5 * time.Second, CloudFrontKeepAlive: 60 * time.Second}, nil)
	if !errors.Is(err, ErrTimeoutOrder) {
		t.Fatalf("NewServer() error = %v, want ErrTimeoutOrder", err)
	}
}

func TestNewServerReportsUnreadableKeyPair(t *testing.T) {
	dir := t.TempDir()
	_, err := NewServer(Config{CertFile: dir + "/missing.pem", KeyFile: dir + "/missing.key"}, nil)
	if err == nil || !strings.Contains(err.Error(), "load TLS key pair") {
		t.Fatalf("NewServer() error = %v, want a key pair error", err)
	}
}
