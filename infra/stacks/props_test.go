package stacks

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// wantError fails unless err contains wantMsg; wantMsg "" wants no error.
func wantError(t *testing.T, err error, wantMsg string) {
	t.Helper()
	switch {
	case wantMsg == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case wantMsg != "" && (err == nil || !strings.Contains(err.Error(), wantMsg)):
		t.Fatalf("error %v, want it to contain %q", err, wantMsg)
	}
}

func TestBackendPropsValidation(t *testing.T) {
	valid := CloudfrontDynamicAPIStackProps{OriginDomainName: "origin.example.com", HostedZoneID: "Z1", HostedZoneName: "example.com"}
	for _, tc := range []struct {
		name    string
		edit    func(*CloudfrontDynamicAPIStackProps)
		wantMsg string
	}{
		{"valid", func(*CloudfrontDynamicAPIStackProps) {}, ""},
		{"no origin domain", func(p *CloudfrontDynamicAPIStackProps) { p.OriginDomainName = "" }, `originDomainName "": must be a DNS name`},
		{"origin outside zone", func(p *CloudfrontDynamicAPIStackProps) { p.OriginDomainName = "origin.example.org" }, `originDomainName "origin.example.org" is not inside hosted zone "example.com"`},
		{"zone id without name", func(p *CloudfrontDynamicAPIStackProps) { p.HostedZoneName = "" }, "hostedZoneId and hostedZoneName must be given together"},
		{"no certificate source", func(p *CloudfrontDynamicAPIStackProps) { p.HostedZoneID, p.HostedZoneName = "", "" }, "the origin needs a certificate"},
		{"one task", func(p *CloudfrontDynamicAPIStackProps) { p.DesiredCount = 1 }, "desiredCount 1: at least 2 tasks"},
		{"sampling over 100", func(p *CloudfrontDynamicAPIStackProps) { p.ServerTimingSamplingRate = 101 }, "serverTimingSamplingRate 101: must be 0–100"},
		{"bad image source", func(p *CloudfrontDynamicAPIStackProps) { p.Image = "docker" }, `image "docker"`},
		{"bad prefix list", func(p *CloudfrontDynamicAPIStackProps) { p.OriginFacingPrefixListID = "sg-1" }, `originFacingPrefixListId "sg-1"`},
		{"four connection attempts", func(p *CloudfrontDynamicAPIStackProps) { p.OriginConnectionAttempts = 4 }, "originConnectionAttempts 4: must be 1–3"},
		{"AZs of another region", func(p *CloudfrontDynamicAPIStackProps) {
			p.Env = &awscdk.Environment{Region: jsii.String("us-east-1")}
			p.AvailabilityZones = []string{"eu-central-1a", "eu-central-1b"}
		}, `availability zone "eu-central-1a" is not in region us-east-1`},
		{"account without AZs", func(p *CloudfrontDynamicAPIStackProps) {
			p.Env = &awscdk.Environment{Account: jsii.String(testAccount), Region: jsii.String("eu-central-1")}
		}, "account 123456789012 is set, so availabilityZones must be set too"},
		{"drain shorter than the health check needs", func(p *CloudfrontDynamicAPIStackProps) { p.DrainPeriod = 5 * time.Second },
			"drainPeriod 5s: must be whole seconds, at least 10s (the NLB needs 2 failed health checks 5s apart"},
		{"drain beyond Fargate's stop timeout", func(p *CloudfrontDynamicAPIStackProps) { p.DrainPeriod = 110 * time.Second },
			"drainPeriod 110s: drain + shutdown 10s + 5s margin exceeds Fargate's 120s stop timeout"},
		{"custom domain in the origin's zone", func(p *CloudfrontDynamicAPIStackProps) {
			p.Env = &awscdk.Environment{Account: jsii.String(testAccount), Region: jsii.String("eu-central-1")}
			p.AvailabilityZones = []string{"eu-central-1a", "eu-central-1b"}
			p.DomainNames = []string{"api.example.com", "*.api.example.com"}
		}, ""},
		{"custom domain with a certificate ARN", func(p *CloudfrontDynamicAPIStackProps) {
			p.DomainNames, p.ViewerCertificateARN = []string{"api.example.org"}, testViewerARN
		}, ""},
		{"custom domain without certificate", func(p *CloudfrontDynamicAPIStackProps) { p.DomainNames = []string{"api.example.org"} },
			"domainNames need a viewer certificate"},
		{"viewer certificate in the wrong region", func(p *CloudfrontDynamicAPIStackProps) {
			p.DomainNames, p.ViewerCertificateARN = []string{"api.example.org"}, testCertARN
		}, "CloudFront needs an ACM certificate in us-east-1"},
		{"domain outside its zone", func(p *CloudfrontDynamicAPIStackProps) {
			p.DomainNames, p.DomainHostedZoneID, p.DomainHostedZoneName = []string{"api.example.org"}, "Z2", "example.net"
		}, `domain name "api.example.org" is not inside hosted zone "example.net"`},
		{"bad domain name", func(p *CloudfrontDynamicAPIStackProps) { p.DomainNames = []string{"api_example.com"} },
			`domainNames: "api_example.com" is not a DNS name`},
		{"certificate without domain names", func(p *CloudfrontDynamicAPIStackProps) { p.ViewerCertificateARN = testViewerARN },
			"viewerCertificateArn and domainHostedZoneId need domainNames"},
		{"DNS-validated viewer certificate needs the account", func(p *CloudfrontDynamicAPIStackProps) {
			p.Env = &awscdk.Environment{Region: jsii.String("eu-central-1")}
			p.DomainNames = []string{"api.example.com"}
		}, "a DNS-validated viewer certificate is made in a us-east-1 stack, which needs the account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid
			tc.edit(&p)
			wantError(t, p.withDefaults().validate(), tc.wantMsg)
		})
	}
}

// TestVPCOriginPropsValidation: originAccess "vpc" needs no origin name or
// certificate and refuses them (they would be silently unused), and caps
// the keep-alive at the VPC origin's 120 s.
func TestVPCOriginPropsValidation(t *testing.T) {
	valid := CloudfrontDynamicAPIStackProps{OriginAccess: OriginAccessVPC}
	longer := func(keepAlive time.Duration) func(*CloudfrontDynamicAPIStackProps) {
		return func(p *CloudfrontDynamicAPIStackProps) {
			p.KeepAlive, p.AppIdleTimeout, p.NLBIdleTimeout = keepAlive, 150*time.Second, 350*time.Second
		}
	}
	for _, tc := range []struct {
		name    string
		edit    func(*CloudfrontDynamicAPIStackProps)
		wantMsg string
	}{
		{"valid", func(*CloudfrontDynamicAPIStackProps) {}, ""},
		{"keep-alive 120 s", longer(120 * time.Second), ""},
		{"keep-alive 121 s", longer(121 * time.Second), "keepAlive 121s: a VPC origin's keep-alive is 1–120s"},
		{"origin domain", func(p *CloudfrontDynamicAPIStackProps) { p.OriginDomainName = "origin.example.com" },
			`originDomainName: only for originAccess "public"; with "vpc" CloudFront reaches the internal NLB by its own name over HTTP`},
		{"origin zone", func(p *CloudfrontDynamicAPIStackProps) { p.HostedZoneID, p.HostedZoneName = "Z1", "example.com" },
			`hostedZoneId: only for originAccess "public"`},
		{"origin certificate", func(p *CloudfrontDynamicAPIStackProps) { p.CertificateARN = testCertARN }, `certificateArn: only for originAccess "public"`},
		{"prefix list", func(p *CloudfrontDynamicAPIStackProps) { p.OriginFacingPrefixListID = testPrefixList }, `originFacingPrefixListId: only for originAccess "public"`},
		{"custom domain with its own zone", func(p *CloudfrontDynamicAPIStackProps) {
			p.Env = &awscdk.Environment{Account: jsii.String(testAccount), Region: jsii.String("eu-central-1")}
			p.AvailabilityZones = []string{"eu-central-1a", "eu-central-1b"}
			p.DomainNames, p.DomainHostedZoneID, p.DomainHostedZoneName = []string{"api.example.com"}, "Z1", "example.com"
		}, ""},
		{"unknown mode", func(p *CloudfrontDynamicAPIStackProps) { p.OriginAccess = "private" },
			`originAccess "private": must be "vpc" (VPC origin, recommended) or "public" (internet-facing NLB)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid
			tc.edit(&p)
			wantError(t, p.withDefaults().validate(), tc.wantMsg)
		})
	}
	// The public mode stays the default, and keeps its 180 s cap.
	p := CloudfrontDynamicAPIStackProps{OriginDomainName: "origin.example.com", CertificateARN: testCertARN}
	longer(150 * time.Second)(&p)
	p.AppIdleTimeout = 160 * time.Second
	if p := p.withDefaults(); p.OriginAccess != OriginAccessPublic || p.validate() != nil {
		t.Errorf("default access %q, validate: %v", p.OriginAccess, p.validate())
	}
}

// TestImagePropsValidation: an ECR image by tag or by digest, not both; a
// digest in the form crane prints; no digest for an asset image.
func TestImagePropsValidation(t *testing.T) {
	valid := CloudfrontDynamicAPIStackProps{OriginAccess: OriginAccessVPC}
	for _, tc := range []struct {
		name    string
		edit    func(*CloudfrontDynamicAPIStackProps)
		wantMsg string
	}{
		{"tag by default", func(*CloudfrontDynamicAPIStackProps) {}, ""},
		{"digest", func(p *CloudfrontDynamicAPIStackProps) { p.ImageDigest = testImageDigest }, ""},
		{"tag and digest", func(p *CloudfrontDynamicAPIStackProps) { p.ImageTag, p.ImageDigest = "v1", testImageDigest },
			`imageTag "v1" and imageDigest: give one`},
		{"short digest", func(p *CloudfrontDynamicAPIStackProps) { p.ImageDigest = "sha256:0123abcd" },
			`imageDigest "sha256:0123abcd": must be sha256: and 64 hex digits`},
		{"digest of an asset", func(p *CloudfrontDynamicAPIStackProps) { p.Image, p.ImageDigest = ImageFromAsset, testImageDigest },
			`imageDigest: only for image "ecr"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid
			tc.edit(&p)
			wantError(t, p.withDefaults().validate(), tc.wantMsg)
		})
	}
}

func TestPrewarmPropsValidation(t *testing.T) {
	valid := LambdaPrewarmStackProps{DistributionDomain: testDistribution, POPs: []string{"HKG54-C1", "FRA56-P3", "PVG1-E1"}}
	for _, tc := range []struct {
		name    string
		edit    func(*LambdaPrewarmStackProps)
		wantMsg string
	}{
		{"valid", func(*LambdaPrewarmStackProps) {}, ""},
		{"lower-case method accepted", func(p *LambdaPrewarmStackProps) { p.Method = "head" }, ""},
		{"every POP code form", func(p *LambdaPrewarmStackProps) {
			p.POPs = []string{"FRA2", "DFW3", "SEA19-C1", "SIN2-P11", "PVG52-E1"}
		}, ""},
		{"a suffix letter CloudFront does not write", func(p *LambdaPrewarmStackProps) { p.POPs = []string{"HKG54-X1"} }, `pop "HKG54-X1": not a POP code`},
		{"custom domain as distribution", func(p *LambdaPrewarmStackProps) { p.DistributionDomain = "api.example.com" }, `distributionDomain "api.example.com": must be the distribution's dXXXX.cloudfront.net name`},
		{"no POPs", func(p *LambdaPrewarmStackProps) { p.POPs = nil }, "pops: list at least one POP code"},
		{"bad POP", func(p *LambdaPrewarmStackProps) { p.POPs = []string{"hkg54"} }, `pop "hkg54": not a POP code (three letters`},
		{"POST", func(p *LambdaPrewarmStackProps) { p.Method = "POST" }, `method "POST": must be GET or HEAD`},
		{"relative path", func(p *LambdaPrewarmStackProps) { p.Path = "api" }, `path "api": must start with /`},
		{"waves further apart than keep-alive", func(p *LambdaPrewarmStackProps) { p.Waves, p.WaveInterval = 3, 60*time.Second },
			"waveInterval 60s: must be shorter than the keep-alive 60s"},
		{"over the Lambda limit", func(p *LambdaPrewarmStackProps) { p.Waves, p.WaveInterval = 50, 20*time.Second },
			"max(130s, (waves − 1) × waveInterval) + requestTimeout + 10s = 1000s: over the Lambda limit of 900s"},
		{"waves without an interval", func(p *LambdaPrewarmStackProps) { p.Waves = 4 },
			"waves 4, waveInterval 0s: set both or neither (neither: the Lambda's defaults for the keep-alive)"},
		{"plain rule", func(p *LambdaPrewarmStackProps) {
			p.Schedule, p.Waves, p.WaveInterval = ScheduleRule, 3, 40*time.Second
		}, ""},
		{"unknown schedule", func(p *LambdaPrewarmStackProps) { p.Schedule = "cron" }, `schedule "cron": want "scheduler" (EventBridge Scheduler, aligned waves) or "rule" (a plain rule)`},
		{"period", func(p *LambdaPrewarmStackProps) { p.Period = 29 * time.Second }, ""},
		{"period not below the keep-alive", func(p *LambdaPrewarmStackProps) { p.Period = 60 * time.Second },
			"period 60s: must be at least 1s and shorter than the keep-alive 60s"},
		{"bad log level", func(p *LambdaPrewarmStackProps) { p.LogLevel = "trace" }, `logLevel "TRACE"`},
		{"memory too small", func(p *LambdaPrewarmStackProps) { p.MemoryMiB = 64 }, "memoryMiB 64: must be 128–10240"},
		{"cold threshold over 1", func(p *LambdaPrewarmStackProps) { p.ColdRatioThreshold = 2 }, "coldRatioThreshold 2: must be in (0, 1]"},
		{"both IP versions", func(p *LambdaPrewarmStackProps) { p.IPVersion = -1 }, ""},
		{"host identity on its path", func(p *LambdaPrewarmStackProps) { p.HostID, p.Path = true, hostIDPath }, ""},
		{"host identity on another path", func(p *LambdaPrewarmStackProps) { p.HostID, p.Path = true, "/" },
			`path "/" with hostId: the host identity is echoed on /cfprewarm/host-id only (leave path unset)`},
		{"bad IP version", func(p *LambdaPrewarmStackProps) { p.IPVersion = 5 }, "ipVersion 5: want 4, 6 or -1 (both)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid
			tc.edit(&p)
			wantError(t, p.withDefaults().validate(), tc.wantMsg)
		})
	}
}

// IP_VERSION: 4 by default (no IPv6 egress outside a VPC), absent for both.
func TestPrewarmIPVersionEnvironment(t *testing.T) {
	p := LambdaPrewarmStackProps{DistributionDomain: testDistribution, POPs: []string{"HKG54-C1"}}.withDefaults()
	if v := p.environment()["IP_VERSION"]; v == nil || *v != "4" {
		t.Errorf("default IP_VERSION %v, want 4", v)
	}
	p.IPVersion = -1
	if v, ok := p.environment()["IP_VERSION"]; ok {
		t.Errorf("IP_VERSION %q for both families, want it unset", *v)
	}
}
