package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// The infra tests share one synthesized app (one Node.js jsii process per
// test binary, one synth): every stack variant the tests look at is added
// to it before the first synth.

const (
	testAccount      = "123456789012"
	testDistribution = "d111111abcdef8.cloudfront.net"
	testPrefixList   = "pl-a3a144ca"
	testCertARN      = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
	testViewerARN    = "arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
	testImageDigest  = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

var testTmp string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cfprewarm-infra-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testTmp = dir
	QuietNodeEndOfLife()
	code := m.Run()
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tempDir is a fresh directory under the test binary's temp dir; it
// outlives a single test (the shared app refers to it).
func tempDir(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp(testTmp, name+"-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeFile writes data to dir/rel, creating parents.
func writeFile(t testing.TB, dir, rel, data string) {
	t.Helper()
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
}

// dummyCode is a Lambda asset dir with a placeholder bootstrap, so the
// stack tests do not depend on the root module compiling.
func dummyCode(t testing.TB) string {
	dir := tempDir(t, "lambda")
	writeFile(t, dir, "bootstrap", "#!/bin/sh\n# placeholder for stack tests\n")
	return dir
}

// newTestApp is an app writing to a temp dir whose only context is the
// feature flags pinned in cdk.json: the tests look at the templates a
// deployment would get.
func newTestApp(t testing.TB) awscdk.App {
	flags := pinnedFeatureFlags(t)
	return awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(filepath.Join(tempDir(t, "cdkout"), "cdk.out")),
		Context: &flags,
	})
}

// pinnedFeatureFlags returns the feature flags (the "@…" context keys) of
// infra/cdk.json.
func pinnedFeatureFlags(t testing.TB) map[string]any {
	t.Helper()
	props, err := AppProps("..", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]any{}
	for k, v := range *props.Context {
		if strings.HasPrefix(k, "@") {
			flags[k] = v
		}
	}
	if len(flags) == 0 {
		t.Fatal("cdk.json pins no feature flags")
	}
	return flags
}

// noEnv is a Getenv that sees no CDK_* variables.
func noEnv(string) string { return "" }

// testPrewarmContext is the multi-region configuration the shared app
// expands: three regions, the first with the defaults (EventBridge
// Scheduler, aligned waves), the second a plain rule overriding several
// defaults, the third with many POPs, its own grid period and the host
// identity (hostId).
const testPrewarmContext = `{
  "prewarmDefaults": {"distributionDomain": "d111111abcdef8.cloudfront.net"},
  "prewarm": [
    {"region": "ap-east-1", "pops": ["HKG54-C1", "HKG62-C1"]},
    {"region": "ap-northeast-1", "pops": ["NRT57-P2"], "requestsPerPop": 30, "tracing": true,
     "schedule": "rule", "waves": 4, "waveInterval": "33s", "metrics": "full",
     "host": "api.example.com", "scheduleEnabled": false, "concurrency": 8, "memoryMiB": 256,
     "alarmTopicArn": "arn:aws:sns:ap-northeast-1:123456789012:cfprewarm-alerts"},
    {"region": "eu-west-1", "period": "29s", "hostId": true, "pops": ["DUB1-C1", "DUB2-C1", "DUB3-C1", "DUB4-C1", "DUB5-C1", "DUB6-C1",
     "DUB7-C1", "DUB8-C1", "DUB9-C1", "DUB10-C1", "DUB11-C1", "DUB12-C1"]}
  ]
}`

// fixture is the shared, synthesized app.
type fixture struct {
	backend      awscdk.Stack // hosted zone, DNS-validated certs (the viewer's in certStack), ECR image, explicit prefix list
	certStack    awscdk.Stack // the backend's us-east-1 viewer certificate
	backendAsset awscdk.Stack // certificate ARNs (origin and viewer), image asset, looked-up prefix list, other timeouts
	backendVPC   awscdk.Stack // VPC origin (internal NLB), ECR image by digest, keep-alive 90 s
	prewarm      []awscdk.Stack
	asm          cxapi.CloudAssembly

	mu        sync.Mutex
	templates map[awscdk.Stack]assertions.Template
}

var (
	fxOnce sync.Once
	fx     *fixture
	fxErr  error
)

// shared builds (once) and returns the shared app.
func shared(t *testing.T) *fixture {
	t.Helper()
	fxOnce.Do(func() { fx, fxErr = buildFixture(t) })
	if fxErr != nil {
		t.Fatalf("shared app: %v", fxErr)
	}
	return fx
}

func buildFixture(t *testing.T) (*fixture, error) {
	start := time.Now()
	app := newTestApp(t)
	f := &fixture{templates: map[awscdk.Stack]assertions.Template{}}
	var err error
	f.backend, err = NewCloudfrontDynamicAPIStack(app, "Backend", &CloudfrontDynamicAPIStackProps{
		StackProps:               awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(testAccount), Region: jsii.String("eu-central-1")}},
		OriginDomainName:         "origin.example.com",
		HostedZoneID:             "Z0123456789EXAMPLE",
		HostedZoneName:           "example.com",
		AvailabilityZones:        []string{"eu-central-1a", "eu-central-1b"},
		OriginFacingPrefixListID: testPrefixList,
		DomainNames:              []string{"api.example.com", "www.example.com"},
	})
	if err != nil {
		return nil, err
	}
	f.certStack = app.Node().FindChild(jsii.String(ViewerCertificateStackName("Backend"))).(awscdk.Stack)
	repo := tempDir(t, "repo")
	writeFile(t, repo, AppDockerfile, "FROM scratch\n")
	writeFile(t, repo, "go.mod", "module "+RootModule+"\n")
	writeFile(t, repo, "infra/cdk.out/huge", "must not be copied into the image context\n")
	f.backendAsset, err = NewCloudfrontDynamicAPIStack(app, "BackendAsset", &CloudfrontDynamicAPIStackProps{
		StackProps:               awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}},
		OriginDomainName:         "origin.example.org",
		CertificateARN:           testCertARN,
		Image:                    ImageFromAsset,
		RepoRoot:                 repo,
		DesiredCount:             3,
		KeepAlive:                120 * time.Second,
		AppIdleTimeout:           150 * time.Second,
		NLBIdleTimeout:           600 * time.Second,
		ServerTimingSamplingRate: 12.5,
		DomainNames:              []string{"api.example.org"},
		ViewerCertificateARN:     testViewerARN,
		DrainPeriod:              30 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	f.backendVPC, err = NewCloudfrontDynamicAPIStack(app, "BackendVPC", &CloudfrontDynamicAPIStackProps{
		StackProps:        awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(testAccount), Region: jsii.String("eu-west-1")}},
		OriginAccess:      OriginAccessVPC,
		AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
		ImageDigest:       testImageDigest,
		KeepAlive:         90 * time.Second,
		AppIdleTimeout:    100 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	var ctx map[string]any
	if err := json.Unmarshal([]byte(testPrewarmContext), &ctx); err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(nil, ctx[ContextPrewarmDefaults], ctx[ContextPrewarm])
	if err != nil {
		return nil, err
	}
	getenv := func(k string) string {
		if k == "CDK_DEPLOY_ACCOUNT" {
			return testAccount
		}
		return ""
	}
	f.prewarm, err = Build(app, cfg, BuildOptions{Getenv: getenv, CodePath: dummyCode(t)})
	if err != nil {
		return nil, err
	}
	AddNagChecks(app)
	if f.asm, err = Synth(app); err != nil {
		return nil, err
	}
	t.Logf("shared app built and synthesized in %v", time.Since(start).Round(time.Millisecond))
	return f, nil
}

// template returns the (cached) assertions template of a shared stack.
func (f *fixture) template(stack awscdk.Stack) assertions.Template {
	f.mu.Lock()
	defer f.mu.Unlock()
	tm, ok := f.templates[stack]
	if !ok {
		tm = assertions.Template_FromStack(stack, nil)
		f.templates[stack] = tm
	}
	return tm
}

// readJSON decodes a file of the synthesized assembly (manifest.json,
// <stack>.assets.json, …) into v.
func (f *fixture) readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(*f.asm.Directory(), name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// check runs a CDK assertion, turning its panic into a test error.
func check(t *testing.T, what string, assert func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	assert()
}

// resources returns the template's resources of one type, by logical ID,
// as plain decoded JSON.
func resources(t *testing.T, tm assertions.Template, typ string) map[string]map[string]any {
	t.Helper()
	all := *tm.ToJSON()
	raw, err := json.Marshal(all["Resources"])
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]map[string]any
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for id, r := range res {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// only returns the single resource of a type, failing otherwise.
func only(t *testing.T, tm assertions.Template, typ string) (string, map[string]any) {
	t.Helper()
	rs := resources(t, tm, typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(rs))
	}
	for id, r := range rs {
		return id, r["Properties"].(map[string]any)
	}
	panic("unreachable")
}

// onlyID is the logical ID of the single resource of a type.
func onlyID(t *testing.T, tm assertions.Template, typ string) string {
	t.Helper()
	id, _ := only(t, tm, typ)
	return id
}

// jsonEqual compares two values as JSON.
func jsonEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	json.Unmarshal(g, &gv)
	json.Unmarshal(w, &wv)
	gs, _ := json.Marshal(gv)
	ws, _ := json.Marshal(wv)
	if string(gs) != string(ws) {
		t.Errorf("%s:\n got %s\nwant %s", what, gs, ws)
	}
}
