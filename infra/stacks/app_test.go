package stacks

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMultiRegionExpansion: one prewarm list becomes one stack per region,
// each with its own POPs, the account from CDK_DEPLOY_ACCOUNT.
func TestMultiRegionExpansion(t *testing.T) {
	f := shared(t)
	type got struct{ ID, Region, Account, POPs string }
	var stacks []got
	for _, s := range f.prewarm {
		_, fn := only(t, f.template(s), "AWS::Lambda::Function")
		pops := fn["Environment"].(map[string]any)["Variables"].(map[string]any)["POPS"].(string)
		stacks = append(stacks, got{*s.Node().Id(), *s.Region(), *s.Account(), pops})
	}
	want := []got{
		{"LambdaPrewarmStack-ap-east-1", "ap-east-1", testAccount, "HKG54-C1,HKG62-C1"},
		{"LambdaPrewarmStack-ap-northeast-1", "ap-northeast-1", testAccount, "NRT57-P2"},
		{"LambdaPrewarmStack-eu-west-1", "eu-west-1", testAccount, "DUB1-C1,DUB2-C1,DUB3-C1,DUB4-C1,DUB5-C1,DUB6-C1,DUB7-C1,DUB8-C1,DUB9-C1,DUB10-C1,DUB11-C1,DUB12-C1"},
	}
	if !reflect.DeepEqual(stacks, want) {
		t.Errorf("prewarm stacks:\n got %+v\nwant %+v", stacks, want)
	}
}

func TestParseConfig(t *testing.T) {
	defaults := map[string]any{"distributionDomain": testDistribution, "waveInterval": "15s", "requestsPerPop": 60}
	t.Run("entries override defaults", func(t *testing.T) {
		cfg, err := ParseConfig(nil, defaults, []any{
			map[string]any{"region": "ap-east-1", "pops": []any{"HKG54-C1"}},
			map[string]any{"region": "sa-east-1", "pops": []any{"GRU3-C1"}, "requestsPerPop": 10, "waveInterval": 25},
		})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Backend != nil || len(cfg.Prewarm) != 2 {
			t.Fatalf("config %+v", cfg)
		}
		a, b := cfg.Prewarm[0], cfg.Prewarm[1]
		if a.RequestsPerPOP != 60 || time.Duration(a.WaveInterval) != 15*time.Second || a.DistributionDomain != testDistribution {
			t.Errorf("first entry did not inherit the defaults: %+v", a)
		}
		if b.RequestsPerPOP != 10 || time.Duration(b.WaveInterval) != 25*time.Second || b.DistributionDomain != testDistribution {
			t.Errorf("second entry did not override: %+v", b)
		}
	})
	t.Run("origin access and image digest reach the props", func(t *testing.T) {
		cfg, err := ParseConfig(map[string]any{"region": "eu-west-1", "originAccess": "vpc", "imageDigest": testImageDigest, "imageTag": ""}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := backendProps(*cfg.Backend, BuildOptions{Getenv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		if p.OriginAccess != OriginAccessVPC || p.ImageDigest != testImageDigest {
			t.Errorf("props: originAccess %q, imageDigest %q", p.OriginAccess, p.ImageDigest)
		}
	})
	t.Run("JSON strings from -c", func(t *testing.T) {
		cfg, err := ParseConfig(`{"region": "eu-west-1", "originDomainName": "o.example.com", "keepAlive": "90s"}`, nil,
			`[{"region": "ap-east-1", "pops": ["HKG54-C1"], "distributionDomain": "`+testDistribution+`"}]`)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Backend.Region != "eu-west-1" || time.Duration(cfg.Backend.KeepAlive) != 90*time.Second || cfg.Prewarm[0].POPs[0] != "HKG54-C1" {
			t.Errorf("config %+v %+v", cfg.Backend, cfg.Prewarm)
		}
	})
	for _, tc := range []struct {
		name                       string
		backend, defaults, prewarm any
		wantMsg                    string
	}{
		{"unknown backend key", map[string]any{"keepAliveSeconds": 60}, nil, nil, `context "backend": json: unknown field "keepAliveSeconds"`},
		{"unknown entry key", nil, nil, []any{map[string]any{"region": "ap-east-1", "popz": []any{}}}, `context "prewarm"[0]: json: unknown field "popz"`},
		{"prewarm not a list", nil, nil, map[string]any{"region": "ap-east-1"}, `context "prewarm": must be a list`},
		{"bad duration", nil, map[string]any{"waveInterval": "20 seconds"}, []any{map[string]any{"region": "ap-east-1"}}, `duration "20 seconds"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.backend, tc.defaults, tc.prewarm)
			wantError(t, err, tc.wantMsg)
		})
	}
}

func TestBuildRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     AppConfig
		wantMsg string
	}{
		{"nothing", AppConfig{}, "nothing to synthesize"},
		{"region missing", AppConfig{Prewarm: []PrewarmConfig{{POPs: []string{"HKG54-C1"}}}}, `context "prewarm"[0]: region is required`},
		{"same region twice", AppConfig{Prewarm: []PrewarmConfig{{Region: "ap-east-1"}, {Region: "ap-east-1"}}},
			`context "prewarm"[0] and [1] both make stack LambdaPrewarmStack-ap-east-1`},
		{"backend without region", AppConfig{Backend: &BackendConfig{}}, `context "backend": region is required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Refused before any construct is created: no jsii app needed.
			_, err := Build(nil, tc.cfg, BuildOptions{Getenv: noEnv, CodePath: "unused"})
			wantError(t, err, tc.wantMsg)
		})
	}
}

func TestEnvironment(t *testing.T) {
	env := map[string]string{"CDK_DEPLOY_ACCOUNT": "111111111111", "CDK_DEFAULT_ACCOUNT": "222222222222", "CDK_DEPLOY_REGION": "eu-west-1"}
	getenv := func(k string) string { return env[k] }
	if a := *environment("333333333333", "ap-east-1", getenv).Account; a != "111111111111" {
		t.Errorf("CDK_DEPLOY_ACCOUNT (the deploy script's argument) should win: got %s", a)
	}
	delete(env, "CDK_DEPLOY_ACCOUNT")
	if a := *environment("333333333333", "ap-east-1", getenv).Account; a != "333333333333" {
		t.Errorf("configured account should beat CDK_DEFAULT_ACCOUNT: got %s", a)
	}
	if a := *environment("", "ap-east-1", getenv).Account; a != "222222222222" {
		t.Errorf("CDK_DEFAULT_ACCOUNT not used: %s", a)
	}
	if e := environment("", "ap-east-1", noEnv); e.Account != nil || *e.Region != "ap-east-1" {
		t.Errorf("no account anywhere: want an account-agnostic env, got %v/%v", e.Account, *e.Region)
	}
	p, err := backendProps(BackendConfig{Region: "eu-central-1"}, BuildOptions{Getenv: getenv})
	if err != nil || *p.Env.Region != "eu-west-1" {
		t.Errorf("backend region: CDK_DEPLOY_REGION should win: %v %v", p, err)
	}
	p, err = backendProps(BackendConfig{Region: "eu-central-1"}, BuildOptions{Getenv: noEnv})
	if err != nil || *p.Env.Region != "eu-central-1" {
		t.Errorf("backend region from configuration: %v %v", p, err)
	}
}

// TestShippedCDKJSON: the cdk.json in infra/ parses and expands into the
// backend plus one prewarm stack per listed region.
func TestShippedCDKJSON(t *testing.T) {
	props, err := AppProps("..", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if *props.Outdir != filepath.Join("..", "cdk.out") {
		t.Errorf("outdir %s", *props.Outdir)
	}
	ctx := *props.Context
	cfg, err := ParseConfig(ctx[ContextBackend], ctx[ContextPrewarmDefaults], ctx[ContextPrewarm])
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Backend == nil || len(cfg.Prewarm) < 2 {
		t.Fatalf("cdk.json should configure the backend and several regions: %+v", cfg)
	}
	if err := checkPrewarmNames(cfg.Prewarm); err != nil {
		t.Error(err)
	}
	bp, err := backendProps(*cfg.Backend, BuildOptions{Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if err := bp.withDefaults().validate(); err != nil {
		t.Errorf("backend: %v", err)
	}
	if bp.OriginAccess != OriginAccessVPC {
		t.Errorf("cdk.json ships originAccess %q, want the recommended %q", bp.OriginAccess, OriginAccessVPC)
	}
	for _, pc := range cfg.Prewarm {
		pp := prewarmProps(pc, BuildOptions{Getenv: noEnv}).withDefaults()
		if err := pp.validate(); err != nil {
			t.Errorf("%s: %v", pc.Region, err)
		}
		// The shipped file keeps the one request-timeout default (the
		// Lambda's, which docs/deploying.md states), not a second value.
		if pp.RequestTimeout != DefaultRequestTimeout {
			t.Errorf("%s: cdk.json ships requestTimeout %v, want the default %v", pc.Region, pp.RequestTimeout, DefaultRequestTimeout)
		}
	}
	// Run by the CLI, the CLI's context and outdir apply.
	if p, err := AppProps("..", func(k string) string {
		if k == "CDK_OUTDIR" {
			return "/tmp/x"
		}
		return ""
	}); p != nil || err != nil {
		t.Errorf("under the CLI: got %v, %v; want nil, nil", p, err)
	}
}

func TestAppPropsErrors(t *testing.T) {
	dir := tempDir(t, "cdkjson")
	if _, err := AppProps(dir, noEnv); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing cdk.json: %v", err)
	}
	writeFile(t, dir, "cdk.json", `{"context": [}`)
	var syntax *json.SyntaxError
	if _, err := AppProps(dir, noEnv); !errors.As(err, &syntax) {
		t.Errorf("broken cdk.json: %v", err)
	}
}

// TestCDKCLISetup: cdk.json's app runs offline once modules are cached (no
// `go mod download`), package.json pins the CDK CLI `npx cdk` runs to one
// exact version, the lockfile agrees, and the Go module ignores the
// node_modules that `npm ci` creates.
func TestCDKCLISetup(t *testing.T) {
	read := func(name string, v any) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var cdk struct{ App string }
	read("cdk.json", &cdk)
	if cdk.App != "go run ." {
		t.Errorf("cdk.json app %q, want %q", cdk.App, "go run .")
	}
	var pkg struct {
		DevDependencies map[string]string
	}
	read("package.json", &pkg)
	version := pkg.DevDependencies["aws-cdk"]
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(version) {
		t.Errorf("package.json aws-cdk %q, want one exact version", version)
	}
	var lock struct {
		Packages map[string]struct{ Version string }
	}
	read("package-lock.json", &lock)
	if got := lock.Packages["node_modules/aws-cdk"].Version; got != version {
		t.Errorf("package-lock.json has aws-cdk %q, package.json %q", got, version)
	}
	mod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "\nignore ./node_modules\n") {
		t.Error("go.mod does not ignore ./node_modules (go vet ./... would read the CLI's Go templates)")
	}
}

// TestContextArgs: `go run . -c key=value` overrides one context value as
// the CDK CLI's -c does (the value a string), and anything else is refused.
func TestContextArgs(t *testing.T) {
	ctx, err := ContextArgs([]string{"-c", `backend={"originAccess": "public"}`, "--context=nag=false", "-c", "@x/y:k=a=b"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"backend": `{"originAccess": "public"}`, "nag": "false", "@x/y:k": "a=b"}
	if !reflect.DeepEqual(ctx, want) {
		t.Errorf("context %v, want %v", ctx, want)
	}
	cfg, err := ParseConfig(ctx["backend"], nil, nil)
	if err != nil || cfg.Backend.OriginAccess != "public" {
		t.Errorf("the override does not parse as the backend: %+v %v", cfg.Backend, err)
	}
	// A backend setting given as a top-level key would be ignored: refused,
	// naming where it goes.
	if _, err := ContextArgs([]string{"-c", "originAccess=public"}); err == nil || !strings.Contains(err.Error(), "goes inside its object") {
		t.Errorf("-c originAccess=public: error %v, want a usage error naming backend", err)
	}
	for _, args := range [][]string{{"-c", "nag"}, {"-c", "=x"}, {"synth"}, {"-x"}, {"-c", "originAccess=public"}} {
		if _, err := ContextArgs(args); err == nil || !strings.Contains(err.Error(), "usage: go run . [-c key=value]...") {
			t.Errorf("%q: error %v, want a usage error", args, err)
		}
	}
}
