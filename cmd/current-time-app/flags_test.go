package main

import (
	"errors"
	"github.com/spf13/pflag"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/origin"
)

// env returns a getenv over m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// files returns a readFile over m; other names do not exist.
func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if v, ok := m[name]; ok {
			return []byte(v), nil
		}
		return nil, fs.ErrNotExist
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		files   map[string]string
		check   func(t *testing.T, cfg origin.Config)
		wantErr []string
	}{
		{name: "defaults", check: func(t *testing.T, cfg origin.Config) {
			def := origin.DefaultConfig()
			if cfg.Addr != def.Addr || cfg.IdleTimeout != def.IdleTimeout || cfg.ReadHeaderTimeout != def.ReadHeaderTimeout ||
				cfg.WriteTimeout != def.WriteTimeout || cfg.ShutdownTimeout != def.ShutdownTimeout || cfg.VerifyHeader != def.VerifyHeader ||
				cfg.CloudFrontKeepAlive != 0 || cfg.LoadBalancerIdle != 0 || cfg.VerifySecret != "" || cfg.LogHealthChecks || cfg.CertFile != "" {
				t.Errorf("got %+v, want the defaults", cfg)
			}
		}},
		{name: "every setting from the environment", env: map[string]string{
			"LISTEN_ADDR": "127.0.0.1:9000", "TLS_CERT_FILE": "c.pem", "TLS_KEY_FILE": "k.pem",
			"IDLE_TIMEOUT": "90s", "READ_HEADER_TIMEOUT": "3s", "READ_TIMEOUT": "5s", "WRITE_TIMEOUT": "4s",
			"DRAIN_PERIOD": "12s", "SHUTDOWN_TIMEOUT": "20s", "MAX_CONNECTIONS": "500", "METRICS_LISTEN_ADDR": ":9090",
			"CLOUDFRONT_KEEPALIVE": "60s", "LB_IDLE_TIMEOUT": "350s", "ORIGIN_VERIFY_HEADER": "X-Secret",
			"ORIGIN_VERIFY_SECRET": "from-env", "LOG_HEALTH_CHECKS": "true",
			"MAX_HEADER_BYTES": "65536", "METRICS_MAX_CONNECTIONS": "4",
		}, check: func(t *testing.T, cfg origin.Config) {
			want := origin.Config{Addr: "127.0.0.1:9000", CertFile: "c.pem", KeyFile: "k.pem",
				IdleTimeout: 90 * time.Second, ReadHeaderTimeout: 3 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 4 * time.Second,
				DrainPeriod: 12 * time.Second, ShutdownTimeout: 20 * time.Second, MaxConnections: 500, MetricsAddr: ":9090",
				CloudFrontKeepAlive: 60 * time.Second, LoadBalancerIdle: 350 * time.Second,
				VerifyHeader: "X-Secret", VerifySecret: "from-env", LogHealthChecks: true,
				MaxHeaderBytes: 65536, MetricsMaxConnections: 4}
			cfg.Now = nil
			if !reflect.DeepEqual(cfg, want) {
				t.Errorf("got %+v\nwant %+v", cfg, want)
			}
		}},
		{name: "flags win over the environment",
			args: []string{"--listen", "127.0.0.1:9001", "--idle-timeout=100s", "-log-health-checks=false", "--cloudfront-keepalive", "90s"},
			env:  map[string]string{"LISTEN_ADDR": "127.0.0.1:9000", "IDLE_TIMEOUT": "90s", "LOG_HEALTH_CHECKS": "1", "CLOUDFRONT_KEEPALIVE": "60s"},
			check: func(t *testing.T, cfg origin.Config) {
				if cfg.Addr != "127.0.0.1:9001" || cfg.IdleTimeout != 100*time.Second || cfg.LogHealthChecks || cfg.CloudFrontKeepAlive != 90*time.Second {
					t.Errorf("got %+v", cfg)
				}
			}},
		{name: "secret from a file, newline trimmed", args: []string{"--origin-verify-secret-file", "/run/secret"},
			files: map[string]string{"/run/secret": "s3cret\n"},
			check: func(t *testing.T, cfg origin.Config) {
				if cfg.VerifySecret != "s3cret" {
					t.Errorf("secret %q", cfg.VerifySecret)
				}
			}},
		{name: "secret file from the environment", env: map[string]string{"ORIGIN_VERIFY_SECRET_FILE": "/run/secret"},
			files: map[string]string{"/run/secret": "s3cret\r\n"},
			check: func(t *testing.T, cfg origin.Config) {
				if cfg.VerifySecret != "s3cret" {
					t.Errorf("secret %q", cfg.VerifySecret)
				}
			}},
		{name: "secret twice", args: []string{"--origin-verify-secret-file", "/run/secret"},
			env: map[string]string{"ORIGIN_VERIFY_SECRET": "x"}, files: map[string]string{"/run/secret": "y"},
			wantErr: []string{"secret given twice"}},
		{name: "secret file missing", args: []string{"--origin-verify-secret-file", "/nope"},
			wantErr: []string{"origin-verify secret file: file does not exist"}},
		{name: "secret file empty", args: []string{"--origin-verify-secret-file", "/run/secret"},
			files: map[string]string{"/run/secret": "\n"}, wantErr: []string{"/run/secret is empty"}},
		{name: "header without secret", args: []string{"--origin-verify-header", "X-Secret"},
			wantErr: []string{`header "X-Secret" given without a secret`}},
		{name: "header from env without secret", env: map[string]string{"ORIGIN_VERIFY_HEADER": "X-Secret"},
			wantErr: []string{"given without a secret"}},
		{name: "bad durations everywhere", args: []string{"--write-timeout", "5"},
			env:     map[string]string{"IDLE_TIMEOUT": "abc", "LOG_HEALTH_CHECKS": "maybe"},
			wantErr: []string{`invalid value "abc" for $IDLE_TIMEOUT: time: invalid duration`, `$LOG_HEALTH_CHECKS`, `invalid argument "5" for "--write-timeout" flag: time: missing unit`}},
		{name: "every bad flag at once", args: []string{"--read-header-timeout", "soon", "--port", "80", "--max-connections", "many", "--drain-period=x"},
			wantErr: []string{`invalid argument "soon" for "--read-header-timeout" flag`, "unknown flag: --port",
				`invalid argument "many" for "--max-connections" flag`, `invalid argument "x" for "--drain-period" flag`}},
		// An explicit 0 turns the drain off (a zero Config.DrainPeriod would
		// be the 15 s default); a negative drain is refused.
		{name: "drain 0 is no drain", args: []string{"--drain-period", "0"}, check: func(t *testing.T, cfg origin.Config) {
			if cfg.DrainPeriod != origin.NoDrain {
				t.Errorf("--drain-period 0: drain %v, want origin.NoDrain", cfg.DrainPeriod)
			}
		}},
		{name: "DRAIN_PERIOD 0s is no drain", env: map[string]string{"DRAIN_PERIOD": "0s"}, check: func(t *testing.T, cfg origin.Config) {
			if cfg.DrainPeriod != origin.NoDrain {
				t.Errorf("DRAIN_PERIOD=0s: drain %v, want origin.NoDrain", cfg.DrainPeriod)
			}
		}},
		{name: "negative drain", args: []string{"--drain-period", "-1ns"}, wantErr: []string{`invalid argument "-1ns" for "--drain-period" flag: negative: want 0 (no drain) or more`}},
		// A zero or empty value the origin would replace with its default is
		// refused, on the command line and in the environment, naming it.
		{name: "explicit zeros are not defaults",
			args: []string{"--max-connections", "0", "--idle-timeout", "0s", "--listen", "", "--metrics-max-connections=0", "--origin-verify-header="},
			env:  map[string]string{"READ_TIMEOUT": "0", "MAX_HEADER_BYTES": "0", "WRITE_TIMEOUT": "0ms", "SHUTDOWN_TIMEOUT": "0s"},
			wantErr: []string{"--max-connections 0: want at least 1 (or leave it out for the default, 10000)",
				"--idle-timeout 0: want a positive duration (or leave it out for the default, 1m15s)",
				`--listen "": want a value (or leave it out for the default, :8080)`,
				"--metrics-max-connections 0: want at least 1", `--origin-verify-header "": want a value`,
				"$READ_TIMEOUT=0: want a positive duration", "$MAX_HEADER_BYTES=0: want at least 1",
				"$WRITE_TIMEOUT=0: want a positive duration", "$SHUTDOWN_TIMEOUT=0: want a positive duration"}},
		{name: "a flag's value replaces a zero in the environment", args: []string{"--read-header-timeout", "2s"},
			env: map[string]string{"READ_HEADER_TIMEOUT": "0"},
			check: func(t *testing.T, cfg origin.Config) {
				if cfg.ReadHeaderTimeout != 2*time.Second {
					t.Errorf("read-header timeout %v, want 2s", cfg.ReadHeaderTimeout)
				}
			}},
		{name: "unknown flag", args: []string{"--port", "80"}, wantErr: []string{"unknown flag: --port"}},
		{name: "a secret is not a flag", args: []string{"--origin-verify-secret", "x"}, wantErr: []string{"unknown flag: --origin-verify-secret"}},
		{name: "stray argument", args: []string{"serve"}, wantErr: []string{`unexpected argument "serve"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := parseOptions(tt.args, env(tt.env), files(tt.files), nil)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tt.wantErr)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, opts.cfg)
		})
	}
}

func TestHelpListsEveryEnvironmentVariable(t *testing.T) {
	var out strings.Builder
	_, err := parseOptions([]string{"--help"}, env(nil), files(nil), &out)
	if !errors.Is(err, pflag.ErrHelp) {
		t.Fatalf("err = %v, want pflag.ErrHelp", err)
	}
	for _, e := range envOf {
		if !strings.Contains(out.String(), "-"+e.flag) || !strings.Contains(out.String(), "[$"+e.env+"]") {
			t.Errorf("usage does not show --%s [$%s]", e.flag, e.env)
		}
	}
	if !strings.Contains(out.String(), "$"+envSecret) {
		t.Errorf("usage does not mention $%s", envSecret)
	}
}
