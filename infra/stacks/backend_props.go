package stacks

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// ImageSource says where the backend's container image comes from.
type ImageSource string

const (
	// ImageFromECR runs an image already pushed to an ECR repository in
	// the stack's account and region (the seed's way).
	ImageFromECR ImageSource = "ecr"
	// ImageFromAsset builds cmd/current-time-app/Dockerfile from the
	// repository root as a CDK asset (Docker is needed at deploy time).
	ImageFromAsset ImageSource = "asset"
)

// OriginAccess says how CloudFront reaches the network load balancer.
type OriginAccess string

const (
	// OriginAccessVPC (recommended): an internal NLB in the private
	// subnets, reached through a CloudFront VPC origin. The NLB has no
	// public address and its security group admits only CloudFront's
	// VPC-origin security group. CloudFront speaks HTTP to it: an NLB
	// with a TLS listener cannot be a VPC origin.
	OriginAccessVPC OriginAccess = "vpc"
	// OriginAccessPublic: an internet-facing NLB with a TLS listener for
	// OriginDomainName, admitting CloudFront's origin-facing prefix list,
	// for accounts or regions that cannot use VPC origins.
	OriginAccessPublic OriginAccess = "public"
)

// Defaults of CloudfrontDynamicAPIStackProps.
const (
	DefaultECRRepositoryName        = "current-time-app"
	DefaultImageTag                 = "latest"
	DefaultDesiredCount             = 2
	DefaultTaskCPU                  = 256
	DefaultTaskMemoryMiB            = 512
	DefaultNATGateways              = 1
	DefaultKeepAlive                = 60 * time.Second
	DefaultAppIdleTimeout           = 75 * time.Second
	DefaultNLBIdleTimeout           = 350 * time.Second
	DefaultOriginReadTimeout        = 30 * time.Second
	DefaultOriginConnectionAttempts = 3
	DefaultOriginVerifyHeader       = "X-Origin-Verify"
	DefaultPriceClass               = "PriceClass_All"
	DefaultAccessLogExpirationDays  = 30
	// DefaultDrainPeriod is both the app's drain period (DRAIN_PERIOD)
	// and the NLB's deregistration delay (docs/origin.md, "Draining").
	DefaultDrainPeriod = 15 * time.Second
	// AppShutdownTimeout is the app's SHUTDOWN_TIMEOUT after the drain;
	// the container's stop timeout is drain + shutdown + stopTimeoutMargin.
	AppShutdownTimeout = 10 * time.Second
	stopTimeoutMargin  = 5 * time.Second
	maxStopTimeout     = 120 * time.Second // Fargate's limit
	// HealthCheckInterval × HealthCheckUnhealthyThreshold is how long the
	// NLB takes to see a draining task's /healthz fail; the drain period
	// must be at least that long.
	HealthCheckInterval           = 5 * time.Second
	HealthCheckUnhealthyThreshold = 2
	// AppPort is where current-time-app listens; HealthCheckPath is its
	// health endpoint; MetricsPort serves /metrics to the VPC only.
	AppPort         = 8080
	MetricsPort     = 9090
	HealthCheckPath = "/healthz"
	// VPCCIDR is the VPC's address range (CDK's default, written out so
	// that the metrics port's ingress rule is a literal cdk-nag can check).
	VPCCIDR = "10.0.0.0/16"
	// ViewerCertificateRegion is where CloudFront's viewer certificates
	// live.
	ViewerCertificateRegion = "us-east-1"
	// DefaultKeepAliveQuota is the origin keep-alive CloudFront accepts
	// without a quota increase (up to MaxKeepAlive once granted).
	DefaultKeepAliveQuota = 60 * time.Second
	// OriginFacingPrefixListName is the AWS-managed prefix list of the
	// addresses CloudFront uses to reach origins.
	OriginFacingPrefixListName = "com.amazonaws.global.cloudfront.origin-facing"
	// VPCOriginSecurityGroupName is the security group CloudFront creates
	// (one per VPC, with the first VPC origin) for its VPC-origin network
	// interfaces; CloudFormation does not return its ID.
	VPCOriginSecurityGroupName = "CloudFront-VPCOrigins-Service-SG"
	// VPCOriginPort is the NLB's plain TCP listener port in OriginAccessVPC
	// mode, where CloudFront connects over HTTP.
	VPCOriginPort = 80
	// MaxVPCOriginKeepAlive is the longest origin keep-alive of a VPC
	// origin (CloudFormation, AWS::CloudFront::Distribution
	// VpcOriginConfig.OriginKeepaliveTimeout: 1–120 s).
	MaxVPCOriginKeepAlive = 120 * time.Second
)

// CloudfrontDynamicAPIStackProps configures the backend stack. Zero values
// take the defaults above.
type CloudfrontDynamicAPIStackProps struct {
	awscdk.StackProps

	// OriginAccess chooses how CloudFront reaches the NLB (default
	// OriginAccessPublic, the setting of stacks deployed before VPC
	// origins; OriginAccessVPC is recommended).
	OriginAccess OriginAccess

	// OriginDomainName is the name CloudFront connects to, e.g.
	// origin.example.com. The NLB's certificate must cover it. Required
	// with OriginAccessPublic, not used with OriginAccessVPC.
	OriginDomainName string
	// HostedZoneID and HostedZoneName import the Route 53 zone that holds
	// OriginDomainName (no lookup). With a zone the stack creates the alias
	// record for the NLB and, unless CertificateARN is set, a DNS-validated
	// ACM certificate. OriginAccessPublic only.
	HostedZoneID   string
	HostedZoneName string
	// CertificateARN uses an existing ACM certificate (same region as the
	// stack) instead of creating one. OriginAccessPublic only.
	CertificateARN string
	// AvailabilityZones pins the VPC's two AZs. Required when the stack's
	// account is concrete (AZ lookups are disabled); otherwise the first two
	// AZs of the region are chosen at deploy time.
	AvailabilityZones []string
	// NATGateways for the private subnets (default 1; 2 for AZ-independent
	// egress).
	NATGateways int

	// Image chooses the container image source (default ImageFromECR).
	Image ImageSource
	// ECRRepositoryName and ImageTag name the image for ImageFromECR.
	ECRRepositoryName string
	ImageTag          string
	// ImageDigest (sha256:…) pins the ImageFromECR image to one manifest or
	// index instead of a tag, e.g. the digest `crane push` printed; each
	// new digest is a new task definition and so a rolling deployment.
	ImageDigest string
	// RepoRoot is the Docker build context for ImageFromAsset (default: the
	// repository root found above the working directory).
	RepoRoot string
	// DesiredCount, TaskCPU and TaskMemoryMiB size the Fargate service.
	DesiredCount  int
	TaskCPU       int
	TaskMemoryMiB int

	// KeepAlive is CloudFront's origin keep-alive timeout (1–180 s).
	KeepAlive time.Duration
	// AppIdleTimeout is current-time-app's HTTP idle timeout.
	AppIdleTimeout time.Duration
	// NLBIdleTimeout is the NLB listener's TCP idle timeout (60–6000 s).
	NLBIdleTimeout time.Duration
	// OriginReadTimeout and OriginConnectionAttempts tune the CloudFront
	// origin.
	OriginReadTimeout        time.Duration
	OriginConnectionAttempts int
	// ServerTimingSamplingRate is the percentage (0–100) of responses that
	// carry Server-Timing. With 0 only requests sending
	// "Pragma: server-timing" get it, which is what probes do.
	ServerTimingSamplingRate float64
	// OriginVerifyHeader names the header CloudFront adds with the secret
	// the app checks.
	OriginVerifyHeader string
	// HostIDFunction adds the prewarm path /cfprewarm/* with a CloudFront
	// Function that forwards the edge server's address (hostid.go).
	HostIDFunction bool
	// OriginFacingPrefixListID is the ID of
	// com.amazonaws.global.cloudfront.origin-facing in the stack's region.
	// Empty: a custom resource looks it up at deploy time.
	// OriginAccessPublic only.
	OriginFacingPrefixListID string
	// DomainNames are the distribution's alternate domain names (CNAMEs),
	// e.g. api.example.com. They need a viewer certificate: either
	// ViewerCertificateARN, or a DNS-validated one created in
	// DomainHostedZoneID through a certificate stack in us-east-1.
	DomainNames []string
	// ViewerCertificateARN is an existing ACM certificate in us-east-1
	// covering DomainNames.
	ViewerCertificateARN string
	// DomainHostedZoneID and DomainHostedZoneName import the Route 53 zone
	// holding DomainNames: the stack creates their alias (A and AAAA)
	// records to the distribution, and the certificate's validation
	// records when no ARN is given. Default: the origin's zone
	// (HostedZoneID), when every domain name is inside it.
	DomainHostedZoneID   string
	DomainHostedZoneName string

	// DrainPeriod is the app's drain period after SIGTERM and the NLB's
	// deregistration delay (default 15 s; whole seconds, at least the
	// health check's 10 s to notice /healthz failing).
	DrainPeriod time.Duration

	// PriceClass of the distribution: PriceClass_All (default),
	// PriceClass_200 or PriceClass_100.
	PriceClass string
	// AccessLogExpirationDays is how long CloudFront, NLB and VPC flow logs
	// are kept in the access-log bucket.
	AccessLogExpirationDays int
}

// withDefaults returns a copy of p with zero values replaced by defaults.
func (p CloudfrontDynamicAPIStackProps) withDefaults() CloudfrontDynamicAPIStackProps {
	setDefault(&p.OriginAccess, OriginAccessPublic)
	setDefault(&p.Image, ImageFromECR)
	setDefault(&p.ECRRepositoryName, DefaultECRRepositoryName)
	if p.ImageDigest == "" {
		setDefault(&p.ImageTag, DefaultImageTag)
	}
	setDefault(&p.NATGateways, DefaultNATGateways)
	setDefault(&p.DesiredCount, DefaultDesiredCount)
	setDefault(&p.TaskCPU, DefaultTaskCPU)
	setDefault(&p.TaskMemoryMiB, DefaultTaskMemoryMiB)
	setDefault(&p.KeepAlive, DefaultKeepAlive)
	setDefault(&p.AppIdleTimeout, DefaultAppIdleTimeout)
	setDefault(&p.NLBIdleTimeout, DefaultNLBIdleTimeout)
	setDefault(&p.OriginReadTimeout, DefaultOriginReadTimeout)
	setDefault(&p.OriginConnectionAttempts, DefaultOriginConnectionAttempts)
	setDefault(&p.OriginVerifyHeader, DefaultOriginVerifyHeader)
	setDefault(&p.PriceClass, DefaultPriceClass)
	setDefault(&p.AccessLogExpirationDays, DefaultAccessLogExpirationDays)
	setDefault(&p.DrainPeriod, DefaultDrainPeriod)
	if len(p.DomainNames) > 0 && p.DomainHostedZoneID == "" && p.HostedZoneID != "" && allInZone(p.DomainNames, p.HostedZoneName) {
		p.DomainHostedZoneID, p.DomainHostedZoneName = p.HostedZoneID, p.HostedZoneName
	}
	return p
}

// stopTimeout is the container's stop timeout: the drain, the shutdown
// and a margin before ECS sends SIGKILL.
func (p CloudfrontDynamicAPIStackProps) stopTimeout() time.Duration {
	return p.DrainPeriod + AppShutdownTimeout + stopTimeoutMargin
}

// viewerCertificateStack reports whether the viewer certificate is
// created in a stack of its own in us-east-1 (a custom domain without a
// certificate ARN, and a backend elsewhere).
func (p CloudfrontDynamicAPIStackProps) viewerCertificateStack() bool {
	return len(p.DomainNames) > 0 && p.ViewerCertificateARN == "" && p.region() != ViewerCertificateRegion
}

func (p CloudfrontDynamicAPIStackProps) region() string {
	if p.Env != nil && p.Env.Region != nil {
		return *p.Env.Region
	}
	return ""
}

func allInZone(names []string, zone string) bool {
	for _, n := range names {
		if !inZone(strings.TrimPrefix(n, "*."), zone) {
			return false
		}
	}
	return true
}

// setDefault sets *v to def when *v is the zero value.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// validate reports every problem of defaulted props at once.
func (p CloudfrontDynamicAPIStackProps) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := ValidateTimeouts(p.KeepAlive, p.AppIdleTimeout, p.NLBIdleTimeout); err != nil {
		errs = append(errs, err)
	}
	switch p.OriginAccess {
	case OriginAccessPublic:
		p.validatePublicOrigin(add)
	case OriginAccessVPC:
		p.validateVPCOrigin(add)
	default:
		add("originAccess %q: must be %q (VPC origin, recommended) or %q (internet-facing NLB)", p.OriginAccess, OriginAccessVPC, OriginAccessPublic)
	}
	p.validateImage(add)
	if p.DesiredCount < 2 {
		add("desiredCount %d: at least 2 tasks keep the origin up across an AZ or a deployment", p.DesiredCount)
	}
	if p.OriginReadTimeout < time.Second || p.OriginReadTimeout%time.Second != 0 {
		add("originReadTimeout %v: must be whole seconds, at least 1s", p.OriginReadTimeout)
	}
	if p.OriginConnectionAttempts < 1 || p.OriginConnectionAttempts > 3 {
		add("originConnectionAttempts %d: must be 1–3", p.OriginConnectionAttempts)
	}
	if p.ServerTimingSamplingRate < 0 || p.ServerTimingSamplingRate > 100 {
		add("serverTimingSamplingRate %v: must be 0–100", p.ServerTimingSamplingRate)
	}
	if _, ok := priceClasses[p.PriceClass]; !ok {
		add("priceClass %q: must be PriceClass_All, PriceClass_200 or PriceClass_100", p.PriceClass)
	}
	if p.AccessLogExpirationDays < 1 {
		add("accessLogExpirationDays %d: must be at least 1", p.AccessLogExpirationDays)
	}
	if detect := HealthCheckInterval * HealthCheckUnhealthyThreshold; p.DrainPeriod < detect || p.DrainPeriod%time.Second != 0 {
		add("drainPeriod %s: must be whole seconds, at least %s (the NLB needs %d failed health checks %s apart to stop sending new connections)",
			envDuration(p.DrainPeriod), envDuration(detect), HealthCheckUnhealthyThreshold, envDuration(HealthCheckInterval))
	} else if p.stopTimeout() > maxStopTimeout {
		add("drainPeriod %s: drain + shutdown %s + %s margin exceeds Fargate's %s stop timeout",
			envDuration(p.DrainPeriod), envDuration(AppShutdownTimeout), envDuration(stopTimeoutMargin), envDuration(maxStopTimeout))
	}
	p.validateDomain(add)
	account := ""
	if p.Env != nil && p.Env.Account != nil {
		account = *p.Env.Account
	}
	if account != "" && len(p.AvailabilityZones) == 0 {
		add("account %s is set, so availabilityZones must be set too (AZ lookups are disabled), e.g. [\"eu-central-1a\", \"eu-central-1b\"]", account)
	}
	if n := len(p.AvailabilityZones); n != 0 && n < 2 {
		add("availabilityZones %v: give at least two", p.AvailabilityZones)
	}
	if p.Env != nil && p.Env.Region != nil {
		for _, az := range p.AvailabilityZones {
			if !strings.HasPrefix(az, *p.Env.Region) {
				add("availability zone %q is not in region %s", az, *p.Env.Region)
			}
		}
	}
	return errors.Join(errs...)
}

// validatePublicOrigin checks the settings of OriginAccessPublic: the
// origin's name and where its certificate comes from.
func (p CloudfrontDynamicAPIStackProps) validatePublicOrigin(add func(string, ...any)) {
	if !isDomainName(p.OriginDomainName) {
		add("originDomainName %q: must be a DNS name such as origin.example.com", p.OriginDomainName)
	}
	if (p.HostedZoneID == "") != (p.HostedZoneName == "") {
		add("hostedZoneId and hostedZoneName must be given together")
	}
	if p.HostedZoneName != "" && !inZone(p.OriginDomainName, p.HostedZoneName) {
		add("originDomainName %q is not inside hosted zone %q", p.OriginDomainName, p.HostedZoneName)
	}
	if p.HostedZoneID == "" && p.CertificateARN == "" {
		add("the origin needs a certificate: set certificateArn, or hostedZoneId and hostedZoneName for a DNS-validated one")
	}
	if p.CertificateARN != "" && !strings.HasPrefix(p.CertificateARN, "arn:") {
		add("certificateArn %q: not an ARN", p.CertificateARN)
	}
	if p.OriginFacingPrefixListID != "" && !strings.HasPrefix(p.OriginFacingPrefixListID, "pl-") {
		add("originFacingPrefixListId %q: must look like pl-xxxxxxxx", p.OriginFacingPrefixListID)
	}
}

// validateVPCOrigin checks the settings of OriginAccessVPC: the VPC
// origin's keep-alive range, and no public-origin settings (they would be
// silently unused).
func (p CloudfrontDynamicAPIStackProps) validateVPCOrigin(add func(string, ...any)) {
	if p.KeepAlive > MaxVPCOriginKeepAlive {
		add("keepAlive %s: a VPC origin's keep-alive is 1–%s", envDuration(p.KeepAlive), envDuration(MaxVPCOriginKeepAlive))
	}
	for _, unused := range []struct{ key, value string }{
		{"originDomainName", p.OriginDomainName},
		{"hostedZoneId", p.HostedZoneID},
		{"hostedZoneName", p.HostedZoneName},
		{"certificateArn", p.CertificateARN},
		{"originFacingPrefixListId", p.OriginFacingPrefixListID},
	} {
		if unused.value != "" {
			add("%s: only for originAccess %q; with %q CloudFront reaches the internal NLB by its own name over HTTP (for a custom domain's zone use domainHostedZoneId)",
				unused.key, OriginAccessPublic, OriginAccessVPC)
		}
	}
}

// validateImage checks the image source and, for ECR, the tag or digest.
func (p CloudfrontDynamicAPIStackProps) validateImage(add func(string, ...any)) {
	switch p.Image {
	case ImageFromECR:
		if p.ImageDigest != "" && p.ImageTag != "" {
			add("imageTag %q and imageDigest: give one (the digest pins the image, the tag follows pushes)", p.ImageTag)
		}
		if p.ImageDigest != "" && !imageDigest.MatchString(p.ImageDigest) {
			add("imageDigest %q: must be sha256: and 64 hex digits, as `crane push` or `crane digest` print it", p.ImageDigest)
		}
	case ImageFromAsset:
		if p.ImageDigest != "" {
			add("imageDigest: only for image %q (an asset image is built and tagged by the CDK)", ImageFromECR)
		}
	default:
		add("image %q: must be %q or %q", p.Image, ImageFromECR, ImageFromAsset)
	}
}

// imageDigest is an OCI content digest as ECR stores them.
var imageDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// inZone reports whether name is zone or a name below it.
func inZone(name, zone string) bool {
	name, zone = strings.TrimSuffix(name, "."), strings.TrimSuffix(zone, ".")
	return name == zone || strings.HasSuffix(name, "."+zone)
}

// isDomainName is a light syntax check of a fully qualified DNS name.
func isDomainName(s string) bool {
	if len(s) == 0 || len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// validateDomain checks the custom domain settings.
func (p CloudfrontDynamicAPIStackProps) validateDomain(add func(string, ...any)) {
	for _, n := range p.DomainNames {
		if !isDomainName(strings.TrimPrefix(n, "*.")) {
			add("domainNames: %q is not a DNS name such as api.example.com (or *.example.com)", n)
		}
	}
	if (p.DomainHostedZoneID == "") != (p.DomainHostedZoneName == "") {
		add("domainHostedZoneId and domainHostedZoneName must be given together")
	}
	if len(p.DomainNames) == 0 {
		if p.ViewerCertificateARN != "" || p.DomainHostedZoneID != "" {
			add("viewerCertificateArn and domainHostedZoneId need domainNames")
		}
		return
	}
	if p.ViewerCertificateARN != "" && !strings.HasPrefix(p.ViewerCertificateARN, "arn:aws:acm:"+ViewerCertificateRegion+":") {
		add("viewerCertificateArn %q: CloudFront needs an ACM certificate in %s (arn:aws:acm:%s:…)", p.ViewerCertificateARN, ViewerCertificateRegion, ViewerCertificateRegion)
	}
	if p.DomainHostedZoneName != "" {
		for _, n := range p.DomainNames {
			if !inZone(strings.TrimPrefix(n, "*."), p.DomainHostedZoneName) {
				add("domain name %q is not inside hosted zone %q", n, p.DomainHostedZoneName)
			}
		}
	}
	if p.ViewerCertificateARN == "" && p.DomainHostedZoneID == "" {
		add("domainNames need a viewer certificate: set viewerCertificateArn (us-east-1), or domainHostedZoneId and domainHostedZoneName for a DNS-validated one")
	}
	if p.viewerCertificateStack() && (p.Env == nil || p.Env.Account == nil || *p.Env.Account == "") {
		add("a DNS-validated viewer certificate is made in a %s stack, which needs the account: set account (or CDK_DEPLOY_ACCOUNT / credentials)", ViewerCertificateRegion)
	}
}
