package stacks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// TestVPCOriginLoadBalancer: with originAccess "vpc" the NLB is internal,
// sits in the private subnets and listens with plain TCP (an NLB with a TLS
// listener cannot be a VPC origin) with the configured idle timeout; no
// certificate, no origin DNS record.
func TestVPCOriginLoadBalancer(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backendVPC)
	_, nlb := only(t, tm, "AWS::ElasticLoadBalancingV2::LoadBalancer")
	jsonEqual(t, "scheme", nlb["Scheme"], "internal")
	private := map[string]bool{}
	for id, r := range resources(t, tm, "AWS::EC2::Subnet") {
		if r["Properties"].(map[string]any)["MapPublicIpOnLaunch"] == false {
			private[id] = true
		}
	}
	subnets := nlb["Subnets"].([]any)
	if len(subnets) != 2 {
		t.Errorf("NLB in %d subnets, want the 2 private ones", len(subnets))
	}
	for _, s := range subnets {
		if id := s.(map[string]any)["Ref"]; !private[fmt.Sprint(id)] {
			t.Errorf("NLB subnet %v is not a private subnet (private: %v)", id, private)
		}
	}
	_, listener := only(t, tm, "AWS::ElasticLoadBalancingV2::Listener")
	jsonEqual(t, "listener", []any{listener["Port"], listener["Protocol"], listener["Certificates"], listener["ListenerAttributes"]},
		[]any{VPCOriginPort, "TCP", nil, []any{map[string]any{"Key": "tcp.idle_timeout.seconds", "Value": "350"}}})
	check(t, "no certificate, no origin record, no prefix-list lookup", func() {
		tm.ResourceCountIs(jsii.String("AWS::CertificateManager::Certificate"), jsii.Number(0))
		tm.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
	})
	for id, r := range resources(t, tm, "Custom::AWS") {
		if create, _ := json.Marshal(r["Properties"].(map[string]any)["Create"]); strings.Contains(string(create), "describeManagedPrefixLists") {
			t.Errorf("custom resource %s looks up the origin-facing prefix list, which a VPC origin does not use", id)
		}
	}
	check(t, "output", func() {
		tm.HasOutput(jsii.String("LoadBalancerDnsName"), map[string]any{
			"Value": map[string]any{"Fn::GetAtt": []any{onlyID(t, tm, "AWS::ElasticLoadBalancingV2::LoadBalancer"), "DNSName"}},
		})
	})
}

// TestVPCOriginDistribution: the distribution reaches the NLB through a
// VPC origin over HTTP, with the same keep-alive, read timeout, connection
// attempts and origin-verify header as the public origin.
func TestVPCOriginDistribution(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backendVPC)
	nlbID := onlyID(t, tm, "AWS::ElasticLoadBalancingV2::LoadBalancer")
	vpcOriginID, vpcOrigin := only(t, tm, "AWS::CloudFront::VpcOrigin")
	cfg := vpcOrigin["VpcOriginEndpointConfig"].(map[string]any)
	jsonEqual(t, "VPC origin endpoint", []any{cfg["Arn"], cfg["HTTPPort"], cfg["OriginProtocolPolicy"]},
		[]any{map[string]any{"Ref": nlbID}, VPCOriginPort, "http-only"})

	_, dist := only(t, tm, "AWS::CloudFront::Distribution")
	origins := dist["DistributionConfig"].(map[string]any)["Origins"].([]any)
	if len(origins) != 1 {
		t.Fatalf("want one origin, got %d", len(origins))
	}
	origin := origins[0].(map[string]any)
	if origin["CustomOriginConfig"] != nil {
		t.Errorf("a VPC origin has no custom origin config, got %v", origin["CustomOriginConfig"])
	}
	jsonEqual(t, "VPC origin config", origin["VpcOriginConfig"], map[string]any{
		"OriginKeepaliveTimeout": 90,
		"OriginReadTimeout":      30,
		"VpcOriginId":            map[string]any{"Fn::GetAtt": []any{vpcOriginID, "Id"}},
	})
	jsonEqual(t, "origin domain", origin["DomainName"], map[string]any{"Fn::GetAtt": []any{nlbID, "DNSName"}})
	jsonEqual(t, "connection attempts", origin["ConnectionAttempts"], DefaultOriginConnectionAttempts)
	headers, _ := json.Marshal(origin["OriginCustomHeaders"])
	if !strings.Contains(string(headers), `"HeaderName":"`+DefaultOriginVerifyHeader+`"`) || !strings.Contains(string(headers), "{{resolve:secretsmanager:") {
		t.Errorf("origin headers %s: want the origin-verify header from Secrets Manager", headers)
	}
	check(t, "the app's timeouts", func() {
		tm.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": []any{map[string]any{"Environment": []any{
				map[string]any{"Name": "CLOUDFRONT_KEEPALIVE", "Value": "90s"},
				map[string]any{"Name": "DRAIN_PERIOD", "Value": "15s"},
				map[string]any{"Name": "IDLE_TIMEOUT", "Value": "100s"},
				map[string]any{"Name": "LB_IDLE_TIMEOUT", "Value": "350s"},
				map[string]any{"Name": "LISTEN_ADDR", "Value": fmt.Sprintf(":%d", AppPort)},
				map[string]any{"Name": "METRICS_LISTEN_ADDR", "Value": fmt.Sprintf(":%d", MetricsPort)},
				map[string]any{"Name": "ORIGIN_VERIFY_HEADER", "Value": DefaultOriginVerifyHeader},
				map[string]any{"Name": "SHUTDOWN_TIMEOUT", "Value": "10s"},
			}}},
		})
	})
}

// TestVPCOriginSecurity: the NLB admits exactly one source, CloudFront's
// VPC-origin security group, read at deploy time (after the distribution
// and its VPC origin exist) by VPC and name; the tasks admit only the NLB
// (and the VPC on the metrics port). Nothing admits an address range on
// the NLB.
func TestVPCOriginSecurity(t *testing.T) {
	f := shared(t)
	tm := f.template(f.backendVPC)
	var nlbSG, taskSG string
	for id, r := range resources(t, tm, "AWS::EC2::SecurityGroup") {
		p := r["Properties"].(map[string]any)
		switch desc := p["GroupDescription"].(string); {
		case strings.HasPrefix(desc, "NLB:"):
			nlbSG = id
			if p["SecurityGroupIngress"] != nil {
				t.Errorf("NLB security group has inline ingress %v", p["SecurityGroupIngress"])
			}
		case strings.HasPrefix(desc, "current-time-app tasks"):
			taskSG = id
		}
	}
	if nlbSG == "" || taskSG == "" {
		t.Fatalf("security groups: NLB %q, tasks %q", nlbSG, taskSG)
	}

	lookupID, lookup := "", map[string]any{}
	for id, r := range resources(t, tm, "Custom::AWS") {
		if create, _ := json.Marshal(r["Properties"].(map[string]any)["Create"]); strings.Contains(string(create), "describeSecurityGroups") {
			lookupID, lookup = id, r
		}
	}
	if lookupID == "" {
		t.Fatal("no custom resource reading " + VPCOriginSecurityGroupName)
	}
	create, _ := json.Marshal(lookup["Properties"].(map[string]any)["Create"])
	for _, want := range []string{`\"Name\":\"vpc-id\"`, `\"Name\":\"group-name\",\"Values\":[\"` + VPCOriginSecurityGroupName + `\"]`, onlyID(t, tm, "AWS::EC2::VPC")} {
		if !strings.Contains(string(create), want) {
			t.Errorf("lookup call %s lacks %s", create, want)
		}
	}
	deps := fmt.Sprint(lookup["DependsOn"])
	for _, typ := range []string{"AWS::CloudFront::Distribution", "AWS::CloudFront::VpcOrigin"} {
		if id := onlyID(t, tm, typ); !strings.Contains(deps, id) {
			t.Errorf("the lookup runs before %s %s exists (depends on %s)", typ, id, deps)
		}
	}

	var toNLB, toTasks int
	for id, r := range resources(t, tm, "AWS::EC2::SecurityGroupIngress") {
		p := r["Properties"].(map[string]any)
		group := p["GroupId"].(map[string]any)["Fn::GetAtt"].([]any)[0]
		ports := []any{p["IpProtocol"], p["FromPort"], p["ToPort"]}
		switch group {
		case nlbSG:
			toNLB++
			jsonEqual(t, id+" source", p["SourceSecurityGroupId"], map[string]any{"Fn::GetAtt": []any{lookupID, "SecurityGroups.0.GroupId"}})
			jsonEqual(t, id+" ports", ports, []any{"tcp", VPCOriginPort, VPCOriginPort})
		case taskSG:
			toTasks++
			jsonEqual(t, id+" source", p["SourceSecurityGroupId"], map[string]any{"Fn::GetAtt": []any{nlbSG, "GroupId"}})
			jsonEqual(t, id+" ports", ports, []any{"tcp", AppPort, AppPort})
		default:
			t.Errorf("ingress %s to %v", id, group)
		}
		if p["CidrIp"] != nil || p["SourcePrefixListId"] != nil {
			t.Errorf("ingress %s admits addresses: %v", id, p)
		}
	}
	if toNLB != 1 || toTasks != 1 {
		t.Errorf("ingress rules: %d to the NLB, %d to the tasks; want 1 and 1", toNLB, toTasks)
	}
}
