package stacks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Stack names of the app. Each prewarm stack is named
// PrewarmStackPrefix-<region>, e.g. LambdaPrewarmStack-ap-east-1.
const (
	BackendStackName   = "CloudfrontDynamicAPIStack"
	PrewarmStackPrefix = "LambdaPrewarmStack"
)

// BuildOptions are the app-level inputs that are not configuration.
type BuildOptions struct {
	// Getenv reads CDK_DEPLOY_ACCOUNT/REGION and CDK_DEFAULT_ACCOUNT/REGION
	// (default os.Getenv).
	Getenv func(string) string
	// CodePath is a directory holding a prebuilt Lambda `bootstrap`. Empty:
	// cmd/prewarm-lambda is built once, for all regions, into
	// LambdaBuildDir(RepoRoot).
	CodePath string
	// RepoRoot is the cfprewarm checkout (default: found above the working
	// directory).
	RepoRoot string
}

// ConfigFromContext reads the app's configuration from its context.
func ConfigFromContext(app awscdk.App) (AppConfig, error) {
	get := func(key string) any { return app.Node().TryGetContext(jsii.String(key)) }
	return ParseConfig(get(ContextBackend), get(ContextPrewarmDefaults), get(ContextPrewarm))
}

// Build adds the configured stacks to app: the backend stack, if
// configured, and one prewarm stack per entry of the prewarm list. It
// returns the stacks in that order.
func Build(app awscdk.App, cfg AppConfig, opts BuildOptions) ([]awscdk.Stack, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if cfg.Backend == nil && len(cfg.Prewarm) == 0 {
		return nil, fmt.Errorf("nothing to synthesize: set the %q and/or %q context values (see docs/deploying.md)", ContextBackend, ContextPrewarm)
	}
	if err := checkPrewarmNames(cfg.Prewarm); err != nil {
		return nil, err
	}
	var stacks []awscdk.Stack
	if b := cfg.Backend; b != nil {
		props, err := backendProps(*b, opts)
		if err != nil {
			return nil, err
		}
		stack, err := NewCloudfrontDynamicAPIStack(app, nameOr(b.StackName, BackendStackName), props)
		if err != nil {
			return nil, err
		}
		stacks = append(stacks, stack)
	}
	if len(cfg.Prewarm) > 0 && opts.CodePath == "" {
		root, err := repoRoot(opts)
		if err != nil {
			return nil, err
		}
		opts.CodePath = LambdaBuildDir(root)
		if err := BuildLambda(context.Background(), root, opts.CodePath); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, pc := range cfg.Prewarm {
		stack, err := NewLambdaPrewarmStack(app, prewarmStackName(pc), prewarmProps(pc, opts))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		stacks = append(stacks, stack)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return stacks, nil
}

// checkPrewarmNames requires a region per entry and distinct stack names.
func checkPrewarmNames(entries []PrewarmConfig) error {
	var errs []error
	seen := map[string]int{}
	for i, pc := range entries {
		if pc.Region == "" {
			errs = append(errs, fmt.Errorf("context %q[%d]: region is required", ContextPrewarm, i))
			continue
		}
		name := prewarmStackName(pc)
		if j, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("context %q[%d] and [%d] both make stack %s: one entry per region, or give each a stackName", ContextPrewarm, j, i, name))
		}
		seen[name] = i
	}
	return errors.Join(errs...)
}

func prewarmStackName(pc PrewarmConfig) string {
	return nameOr(pc.StackName, PrewarmStackPrefix+"-"+pc.Region)
}

func nameOr(name, def string) string {
	if name != "" {
		return name
	}
	return def
}

// repoRoot is opts.RepoRoot or the checkout above the working directory.
func repoRoot(opts BuildOptions) (string, error) {
	if opts.RepoRoot != "" {
		return opts.RepoRoot, nil
	}
	return FindRepoRoot(".")
}

// environment resolves a stack's account: CDK_DEPLOY_ACCOUNT (the explicit
// choice of scripts/cdk-deploy-to.sh) first, then the configured account,
// then CDK_DEFAULT_ACCOUNT (set by the CDK CLI from the credentials). No
// account at all leaves the stack account-agnostic.
func environment(account, region string, getenv func(string) string) *awscdk.Environment {
	account = firstNonEmpty(getenv("CDK_DEPLOY_ACCOUNT"), account, getenv("CDK_DEFAULT_ACCOUNT"))
	env := &awscdk.Environment{Region: jsii.String(region)}
	if account != "" {
		env.Account = jsii.String(account)
	}
	return env
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// backendProps converts the backend configuration to stack props.
func backendProps(b BackendConfig, opts BuildOptions) (*CloudfrontDynamicAPIStackProps, error) {
	// Same precedence as the account. Prewarm stacks take their region from
	// their entry only: each entry is one region.
	region := firstNonEmpty(opts.Getenv("CDK_DEPLOY_REGION"), b.Region, opts.Getenv("CDK_DEFAULT_REGION"))
	if region == "" {
		return nil, fmt.Errorf("context %q: region is required (or set CDK_DEPLOY_REGION)", ContextBackend)
	}
	p := &CloudfrontDynamicAPIStackProps{
		StackProps:               awscdk.StackProps{Env: environment(b.Account, region, opts.Getenv)},
		OriginAccess:             OriginAccess(b.OriginAccess),
		OriginDomainName:         b.OriginDomainName,
		HostedZoneID:             b.HostedZoneID,
		HostedZoneName:           b.HostedZoneName,
		CertificateARN:           b.CertificateARN,
		AvailabilityZones:        b.AvailabilityZones,
		NATGateways:              b.NATGateways,
		Image:                    ImageSource(b.Image),
		ECRRepositoryName:        b.ECRRepositoryName,
		ImageTag:                 b.ImageTag,
		ImageDigest:              b.ImageDigest,
		RepoRoot:                 opts.RepoRoot,
		DesiredCount:             b.DesiredCount,
		TaskCPU:                  b.TaskCPU,
		TaskMemoryMiB:            b.TaskMemoryMiB,
		KeepAlive:                time.Duration(b.KeepAlive),
		AppIdleTimeout:           time.Duration(b.AppIdleTimeout),
		NLBIdleTimeout:           time.Duration(b.NLBIdleTimeout),
		OriginReadTimeout:        time.Duration(b.OriginReadTimeout),
		OriginConnectionAttempts: b.OriginConnectionAttempts,
		ServerTimingSamplingRate: b.ServerTimingSamplingRate,
		OriginVerifyHeader:       b.OriginVerifyHeader,
		HostIDFunction:           b.HostIDFunction,
		OriginFacingPrefixListID: b.OriginFacingPrefixListID,
		PriceClass:               b.PriceClass,
		AccessLogExpirationDays:  b.AccessLogExpirationDays,
		DomainNames:              b.DomainNames,
		ViewerCertificateARN:     b.ViewerCertificateARN,
		DomainHostedZoneID:       b.DomainHostedZoneID,
		DomainHostedZoneName:     b.DomainHostedZoneName,
		DrainPeriod:              time.Duration(b.DrainPeriod),
	}
	return p, nil
}

// prewarmProps converts one prewarm entry to stack props.
func prewarmProps(pc PrewarmConfig, opts BuildOptions) *LambdaPrewarmStackProps {
	return &LambdaPrewarmStackProps{
		StackProps:             awscdk.StackProps{Env: environment(pc.Account, pc.Region, opts.Getenv)},
		DistributionDomain:     pc.DistributionDomain,
		Host:                   pc.Host,
		Path:                   pc.Path,
		Method:                 pc.Method,
		POPs:                   pc.POPs,
		RequestsPerPOP:         pc.RequestsPerPOP,
		Concurrency:            pc.Concurrency,
		RequestTimeout:         time.Duration(pc.RequestTimeout),
		Schedule:               pc.Schedule,
		Period:                 time.Duration(pc.Period),
		Waves:                  pc.Waves,
		WaveInterval:           time.Duration(pc.WaveInterval),
		KeepAlive:              time.Duration(pc.KeepAlive),
		IPVersion:              pc.IPVersion,
		EMFNamespace:           pc.EMFNamespace,
		Metrics:                pc.Metrics,
		LogLevel:               pc.LogLevel,
		MemoryMiB:              pc.MemoryMiB,
		ScheduleDisabled:       pc.ScheduleEnabled != nil && !*pc.ScheduleEnabled,
		Tracing:                pc.Tracing,
		ErrorRateThreshold:     pc.ErrorRateThreshold,
		ColdRatioThreshold:     pc.ColdRatioThreshold,
		AlarmEvaluationPeriods: pc.AlarmEvaluationPeriods,
		AlarmTopicARN:          pc.AlarmTopicARN,
		HostID:                 pc.HostID,
		CodePath:               opts.CodePath,
		RepoRoot:               opts.RepoRoot,
	}
}
