package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

const (
	cachingDisabledID           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewerExceptHostHeaderID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

func TestBackendDistribution(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backend)
	_, dist := only(t, tm, "AWS::CloudFront::Distribution")
	cfg := dist["DistributionConfig"].(map[string]any)
	origins := cfg["Origins"].([]any)
	if len(origins) != 1 {
		t.Fatalf("want one origin, got %d", len(origins))
	}
	origin := origins[0].(map[string]any)
	jsonEqual(t, "origin config", origin["CustomOriginConfig"], map[string]any{
		"OriginKeepaliveTimeout": 60,
		"OriginProtocolPolicy":   "https-only",
		"OriginReadTimeout":      30,
		"OriginSSLProtocols":     []string{"TLSv1.2"},
	})
	jsonEqual(t, "origin domain", origin["DomainName"], "origin.example.com")
	jsonEqual(t, "connection attempts", origin["ConnectionAttempts"], 3)

	// The origin-verify header carries a Secrets Manager dynamic reference:
	// the secret itself never appears in the template.
	headers := origin["OriginCustomHeaders"].([]any)
	if len(headers) != 1 {
		t.Fatalf("want one origin custom header, got %v", headers)
	}
	h := headers[0].(map[string]any)
	jsonEqual(t, "header name", h["HeaderName"], DefaultOriginVerifyHeader)
	if v, _ := json.Marshal(h["HeaderValue"]); !strings.Contains(string(v), "{{resolve:secretsmanager:") {
		t.Errorf("origin-verify header value %s: want a secretsmanager dynamic reference", v)
	}

	behavior := cfg["DefaultCacheBehavior"].(map[string]any)
	jsonEqual(t, "cache policy", behavior["CachePolicyId"], cachingDisabledID)
	jsonEqual(t, "origin request policy", behavior["OriginRequestPolicyId"], allViewerExceptHostHeaderID)
	jsonEqual(t, "viewer protocol policy", behavior["ViewerProtocolPolicy"], "redirect-to-https")

	check(t, "Server-Timing on at sampling rate 0", func() {
		tm.HasResourceProperties(jsii.String("AWS::CloudFront::ResponseHeadersPolicy"), map[string]any{
			"ResponseHeadersPolicyConfig": map[string]any{
				"ServerTimingHeadersConfig": map[string]any{"Enabled": true, "SamplingRate": 0},
			},
		})
	})
	check(t, "outputs", func() {
		tm.HasOutput(jsii.String("DistributionDomainName"), map[string]any{})
		tm.HasOutput(jsii.String("DistributionId"), map[string]any{})
	})
}

func TestBackendOriginSecurity(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backend)
	ingress := resources(t, tm, "AWS::EC2::SecurityGroupIngress")
	var fromPrefixList, fromNLB int
	for id, r := range ingress {
		p := r["Properties"].(map[string]any)
		switch {
		case p["SourcePrefixListId"] != nil:
			fromPrefixList++
			jsonEqual(t, id+" prefix list", p["SourcePrefixListId"], testPrefixList)
			jsonEqual(t, id+" ports", []any{p["IpProtocol"], p["FromPort"], p["ToPort"]}, []any{"tcp", 443, 443})
		case p["SourceSecurityGroupId"] != nil:
			fromNLB++
			jsonEqual(t, id+" ports", []any{p["IpProtocol"], p["FromPort"], p["ToPort"]}, []any{"tcp", AppPort, AppPort})
		default:
			t.Errorf("ingress %s admits something other than the prefix list or the NLB: %v", id, p)
		}
	}
	if fromPrefixList != 1 || fromNLB != 1 {
		t.Errorf("ingress rules: %d from the prefix list, %d from the NLB; want 1 and 1", fromPrefixList, fromNLB)
	}
	// The one inline rule: the tasks' metrics port, from the VPC only.
	_, vpc := only(t, tm, "AWS::EC2::VPC")
	jsonEqual(t, "VPC CIDR", vpc["CidrBlock"], VPCCIDR)
	for id, r := range resources(t, tm, "AWS::EC2::SecurityGroup") {
		in := r["Properties"].(map[string]any)["SecurityGroupIngress"]
		if in == nil {
			continue
		}
		rules := in.([]any)
		if len(rules) != 1 {
			t.Errorf("security group %s: inline ingress %v", id, in)
			continue
		}
		rule := rules[0].(map[string]any)
		jsonEqual(t, id+" inline ingress", []any{rule["CidrIp"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"]},
			[]any{VPCCIDR, "tcp", MetricsPort, MetricsPort})
	}
}

// TestBackendTaskEgress: the tasks may only open HTTPS connections (image,
// secret and logs through the NAT gateway); nothing else leaves them.
func TestBackendTaskEgress(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backend)
	var task map[string]any
	for _, r := range resources(t, tm, "AWS::EC2::SecurityGroup") {
		p := r["Properties"].(map[string]any)
		if strings.HasPrefix(p["GroupDescription"].(string), "current-time-app tasks") {
			task = p
		}
	}
	if task == nil {
		t.Fatal("no task security group")
	}
	jsonEqual(t, "task egress", task["SecurityGroupEgress"], []any{map[string]any{
		"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Description": taskEgress,
	}})
	for id, r := range resources(t, tm, "AWS::EC2::SecurityGroupEgress") {
		p := r["Properties"].(map[string]any)
		if p["DestinationSecurityGroupId"] == nil || p["FromPort"] != float64(AppPort) {
			t.Errorf("egress rule %s: %v, want only the NLB's to the app port", id, p)
		}
	}
}

// TestBackendMetricsOnlyInsideVPC: the app serves /metrics on its own port
// (METRICS_LISTEN_ADDR), which no listener or target group forwards to:
// CloudFront reaches only the app port, where /metrics is not served.
func TestBackendMetricsOnlyInsideVPC(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backend)
	for id, r := range resources(t, tm, "AWS::ElasticLoadBalancingV2::Listener") {
		if port := r["Properties"].(map[string]any)["Port"]; port != float64(443) {
			t.Errorf("listener %s on port %v, want only 443", id, port)
		}
	}
	for id, r := range resources(t, tm, "AWS::ElasticLoadBalancingV2::TargetGroup") {
		if port := r["Properties"].(map[string]any)["Port"]; port != float64(AppPort) {
			t.Errorf("target group %s to port %v, want only the app port %d", id, port, AppPort)
		}
	}
	check(t, "metrics listen address", func() {
		tm.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": []any{map[string]any{"Environment": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Name": "METRICS_LISTEN_ADDR", "Value": fmt.Sprintf(":%d", MetricsPort)},
			})}},
		})
	})
}

// TestBackendDrain: the app's drain period is the NLB's deregistration
// delay, the health check notices a draining task within it, and ECS
// waits for the drain and the shutdown before SIGKILL.
func TestBackendDrain(t *testing.T) {
	f := shared(t)
	for _, tc := range []struct {
		stack awscdk.Stack
		drain int
	}{{f.backend, 15}, {f.backendAsset, 30}} {
		tm := f.template(tc.stack)
		_, tg := only(t, tm, "AWS::ElasticLoadBalancingV2::TargetGroup")
		attrs := map[string]any{}
		for _, a := range tg["TargetGroupAttributes"].([]any) {
			a := a.(map[string]any)
			attrs[a["Key"].(string)] = a["Value"]
		}
		jsonEqual(t, "deregistration delay", attrs["deregistration_delay.timeout_seconds"], fmt.Sprint(tc.drain))
		interval, threshold := tg["HealthCheckIntervalSeconds"].(float64), tg["UnhealthyThresholdCount"].(float64)
		if int(interval*threshold) > tc.drain {
			t.Errorf("the NLB needs %v×%v s to see /healthz fail, longer than the drain %d s", interval, threshold, tc.drain)
		}
		_, task := only(t, tm, "AWS::ECS::TaskDefinition")
		c := task["ContainerDefinitions"].([]any)[0].(map[string]any)
		env := map[string]string{}
		for _, e := range c["Environment"].([]any) {
			e := e.(map[string]any)
			env[e["Name"].(string)] = e["Value"].(string)
		}
		jsonEqual(t, "DRAIN_PERIOD", env["DRAIN_PERIOD"], fmt.Sprintf("%ds", tc.drain))
		jsonEqual(t, "SHUTDOWN_TIMEOUT", env["SHUTDOWN_TIMEOUT"], "10s")
		jsonEqual(t, "stop timeout", c["StopTimeout"], tc.drain+10+5)
	}
}

func TestBackendLoadBalancerAndService(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backend)
	check(t, "TLS listener", func() {
		tm.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port":               443,
			"Protocol":           "TLS",
			"SslPolicy":          "ELBSecurityPolicy-TLS13-1-2-2021-06",
			"ListenerAttributes": []any{map[string]any{"Key": "tcp.idle_timeout.seconds", "Value": "350"}},
		})
	})
	check(t, "target group", func() {
		tm.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), map[string]any{
			"Port": AppPort, "Protocol": "TCP", "TargetType": "ip",
			"HealthCheckProtocol": "HTTP", "HealthCheckPath": HealthCheckPath,
		})
	})
	check(t, "NLB", func() {
		tm.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{
			"Type": "network", "Scheme": "internet-facing",
		})
	})
	check(t, "service", func() {
		tm.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
			"DesiredCount": 2, "LaunchType": "FARGATE",
			"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "DISABLED"}},
		})
	})
	check(t, "DNS-validated certificate", func() {
		tm.HasResourceProperties(jsii.String("AWS::CertificateManager::Certificate"), map[string]any{
			"DomainName":              "origin.example.com",
			"ValidationMethod":        "DNS",
			"DomainValidationOptions": []any{map[string]any{"DomainName": "origin.example.com", "HostedZoneId": "Z0123456789EXAMPLE"}},
		})
	})
	check(t, "origin alias record", func() {
		tm.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Name": "origin.example.com.", "Type": "A", "HostedZoneId": "Z0123456789EXAMPLE",
		})
	})

	_, task := only(t, tm, "AWS::ECS::TaskDefinition")
	jsonEqual(t, "runtime platform", task["RuntimePlatform"], map[string]any{"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"})
	c := task["ContainerDefinitions"].([]any)[0].(map[string]any)
	jsonEqual(t, "container environment", c["Environment"], []map[string]string{
		{"Name": "CLOUDFRONT_KEEPALIVE", "Value": "60s"},
		{"Name": "DRAIN_PERIOD", "Value": "15s"},
		{"Name": "IDLE_TIMEOUT", "Value": "75s"},
		{"Name": "LB_IDLE_TIMEOUT", "Value": "350s"},
		{"Name": "LISTEN_ADDR", "Value": ":8080"},
		{"Name": "METRICS_LISTEN_ADDR", "Value": ":9090"},
		{"Name": "ORIGIN_VERIFY_HEADER", "Value": "X-Origin-Verify"},
		{"Name": "SHUTDOWN_TIMEOUT", "Value": "10s"},
	})
	secretID, _ := only(t, tm, "AWS::SecretsManager::Secret")
	jsonEqual(t, "container secrets", c["Secrets"], []any{map[string]any{"Name": "ORIGIN_VERIFY_SECRET", "ValueFrom": map[string]any{"Ref": secretID}}})
	jsonEqual(t, "container ports", c["PortMappings"], []any{
		map[string]any{"ContainerPort": AppPort, "Protocol": "tcp"},
		map[string]any{"ContainerPort": MetricsPort, "Protocol": "tcp"},
	})
	if img, _ := json.Marshal(c["Image"]); !strings.Contains(string(img), "/current-time-app:latest") {
		t.Errorf("image %s: want the current-time-app:latest ECR image", img)
	}
}

// TestBackendNoLookups: the concrete-account stack synthesizes with its
// pinned AZs and records no missing context (nothing the CLI would have to
// look up with credentials).
func TestBackendNoLookups(t *testing.T) {
	f := shared(t)
	var manifest struct {
		Missing []any `json:"missing"`
	}
	f.readJSON(t, "manifest.json", &manifest)
	if len(manifest.Missing) != 0 {
		t.Errorf("synth recorded context lookups: %v", manifest.Missing)
	}
	azs := map[string]bool{}
	for _, s := range resources(t, f.template(f.backend), "AWS::EC2::Subnet") {
		azs[s["Properties"].(map[string]any)["AvailabilityZone"].(string)] = true
	}
	jsonEqual(t, "subnet AZs", azs, map[string]bool{"eu-central-1a": true, "eu-central-1b": true})
}

func TestBackendVariant(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backendAsset)
	check(t, "no certificate or record created", func() {
		tm.ResourceCountIs(jsii.String("AWS::CertificateManager::Certificate"), jsii.Number(0))
		tm.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
	})
	check(t, "custom domain with the given us-east-1 certificate", func() {
		tm.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), map[string]any{
			"DistributionConfig": map[string]any{
				"Aliases": []any{"api.example.org"},
				"ViewerCertificate": map[string]any{
					"AcmCertificateArn": testViewerARN, "MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only",
				},
			},
		})
	})
	check(t, "listener with the given certificate and idle timeout", func() {
		tm.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Certificates":       []any{map[string]any{"CertificateArn": testCertARN}},
			"ListenerAttributes": []any{map[string]any{"Key": "tcp.idle_timeout.seconds", "Value": "600"}},
		})
	})
	check(t, "keep-alive 120 and sampling 12.5", func() {
		tm.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), map[string]any{
			"DistributionConfig": map[string]any{"Origins": []any{map[string]any{
				"CustomOriginConfig": map[string]any{"OriginKeepaliveTimeout": 120},
			}}},
		})
		tm.HasResourceProperties(jsii.String("AWS::CloudFront::ResponseHeadersPolicy"), map[string]any{
			"ResponseHeadersPolicyConfig": map[string]any{
				"ServerTimingHeadersConfig": map[string]any{"Enabled": true, "SamplingRate": 12.5},
			},
		})
		tm.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{"DesiredCount": 3})
	})
	check(t, "app timeouts", func() {
		tm.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": []any{map[string]any{"Environment": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Name": "IDLE_TIMEOUT", "Value": "150s"},
				map[string]any{"Name": "LB_IDLE_TIMEOUT", "Value": "600s"},
			})}},
		})
	})

	// Without a configured ID the prefix list is read at deploy time.
	lookupID := ""
	for id, r := range resources(t, tm, "Custom::AWS") {
		if create, _ := r["Properties"].(map[string]any)["Create"].(string); strings.Contains(create, OriginFacingPrefixListName) &&
			strings.Contains(create, "describeManagedPrefixLists") {
			lookupID = id
		}
	}
	if lookupID == "" {
		t.Fatal("no custom resource looking up " + OriginFacingPrefixListName)
	}
	check(t, "ingress from the looked-up prefix list", func() {
		tm.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]any{
			"SourcePrefixListId": map[string]any{"Fn::GetAtt": []any{lookupID, "PrefixLists.0.PrefixListId"}},
			"FromPort":           443, "ToPort": 443,
		})
	})

	// Account-agnostic: the AZs are chosen at deploy time.
	for id, s := range resources(t, tm, "AWS::EC2::Subnet") {
		if az, _ := json.Marshal(s["Properties"].(map[string]any)["AvailabilityZone"]); !strings.Contains(string(az), "Fn::GetAZs") {
			t.Errorf("subnet %s AZ %s: want Fn::GetAZs", id, az)
		}
	}
}

// TestBackendImageAsset: the image is built from the repository's
// Dockerfile for linux/arm64; synth stages the context without Docker and
// without infra/ (which holds cdk.out).
func TestBackendImageAsset(t *testing.T) {
	f := shared(t)
	var assets struct {
		DockerImages map[string]struct {
			Source struct {
				Directory string `json:"directory"`
				File      string `json:"dockerFile"`
				Platform  string `json:"platform"`
			} `json:"source"`
		} `json:"dockerImages"`
	}
	f.readJSON(t, "BackendAsset.assets.json", &assets)
	if len(assets.DockerImages) != 1 {
		t.Fatalf("want one docker image asset, got %d", len(assets.DockerImages))
	}
	for _, img := range assets.DockerImages {
		if img.Source.File != AppDockerfile || img.Source.Platform != "linux/arm64" {
			t.Errorf("image asset %+v: want %s for linux/arm64", img.Source, AppDockerfile)
		}
		dir := filepath.Join(*f.asm.Directory(), img.Source.Directory)
		if _, err := os.Stat(filepath.Join(dir, AppDockerfile)); err != nil {
			t.Errorf("staged context lacks the Dockerfile: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "infra")); !os.IsNotExist(err) {
			t.Errorf("staged context includes infra/ (err=%v)", err)
		}
	}
}

// TestBackendImageByDigest: an imageDigest pins the task to that manifest
// (repository@sha256:…), e.g. the one `crane push` printed; no Docker,
// no asset.
func TestBackendImageByDigest(t *testing.T) {
	f := shared(t)
	_, task := only(t, f.template(f.backendVPC), "AWS::ECS::TaskDefinition")
	img, _ := json.Marshal(task["ContainerDefinitions"].([]any)[0].(map[string]any)["Image"])
	if !strings.Contains(string(img), testAccount+".dkr.ecr.eu-west-1.") || !strings.Contains(string(img), "/"+DefaultECRRepositoryName+"@"+testImageDigest) {
		t.Errorf("image %s: want %s@%s from the stack's ECR", img, DefaultECRRepositoryName, testImageDigest)
	}
	var assets struct {
		DockerImages map[string]any `json:"dockerImages"`
	}
	f.readJSON(t, "BackendVPC.assets.json", &assets)
	if len(assets.DockerImages) != 0 {
		t.Errorf("an image by digest builds no Docker asset, got %v", assets.DockerImages)
	}
}
