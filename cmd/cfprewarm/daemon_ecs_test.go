package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

// The fields of ECS's RegisterTaskDefinition input (the JSON of `aws ecs
// register-task-definition --cli-input-json`) the example uses; decoding
// with DisallowUnknownFields refuses any other.
type (
	ecsTaskDefinition struct {
		Family                  string   `json:"family"`
		NetworkMode             string   `json:"networkMode"`
		RequiresCompatibilities []string `json:"requiresCompatibilities"`
		CPU                     string   `json:"cpu"`
		Memory                  string   `json:"memory"`
		RuntimePlatform         struct {
			CPUArchitecture       string `json:"cpuArchitecture"`
			OperatingSystemFamily string `json:"operatingSystemFamily"`
		} `json:"runtimePlatform"`
		ExecutionRoleArn     string                   `json:"executionRoleArn"`
		ContainerDefinitions []ecsContainerDefinition `json:"containerDefinitions"`
	}
	ecsContainerDefinition struct {
		Name                   string   `json:"name"`
		Image                  string   `json:"image"`
		Essential              *bool    `json:"essential"`
		Command                []string `json:"command"`
		User                   string   `json:"user"`
		ReadonlyRootFilesystem bool     `json:"readonlyRootFilesystem"`
		StopTimeout            int      `json:"stopTimeout"`
		PortMappings           []struct {
			Name          string `json:"name"`
			ContainerPort int    `json:"containerPort"`
			Protocol      string `json:"protocol"`
		} `json:"portMappings"`
		HealthCheck *struct {
			Command     []string `json:"command"`
			Interval    int      `json:"interval"`
			Timeout     int      `json:"timeout"`
			Retries     int      `json:"retries"`
			StartPeriod int      `json:"startPeriod"`
		} `json:"healthCheck"`
		DockerLabels     map[string]string `json:"dockerLabels"`
		LogConfiguration struct {
			LogDriver string            `json:"logDriver"`
			Options   map[string]string `json:"options"`
		} `json:"logConfiguration"`
	}
)

// notWithin returns the path of the first value of a (decoded JSON) that
// b does not hold under the same name, or "".
func notWithin(a, b any, path string) string {
	switch a := a.(type) {
	case map[string]any:
		bm, _ := b.(map[string]any)
		for k, v := range a {
			bv, ok := bm[k]
			if !ok {
				return path + "." + k
			}
			if p := notWithin(v, bv, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		bs, _ := b.([]any)
		for i, v := range a {
			if i >= len(bs) {
				return fmt.Sprintf("%s[%d]", path, i)
			}
			if p := notWithin(v, bs[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// fargateMemory lists the task memory (MiB) Fargate accepts for the
// smaller task CPU values (ECS developer guide, "Task CPU and memory").
var fargateMemory = map[string][]string{
	"256": {"512", "1024", "2048"},
	"512": {"1024", "2048", "3072", "4096"},
}

func TestECSExample(t *testing.T) {
	raw, err := os.ReadFile(ecsExample)
	if err != nil {
		t.Fatal(err)
	}
	var td ecsTaskDefinition
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&td); err != nil {
		t.Fatalf("%s: %v", ecsExample, err)
	}
	// encoding/json matches names regardless of case; ECS does not.
	var asWritten, asKnown any
	known, _ := json.Marshal(td)
	if err := errors.Join(json.Unmarshal(raw, &asWritten), json.Unmarshal(known, &asKnown)); err != nil {
		t.Fatal(err)
	}
	if path := notWithin(asWritten, asKnown, ""); path != "" {
		t.Fatalf("%s: %s is not a field of RegisterTaskDefinition's input as written (names are case-sensitive)", ecsExample, path)
	}
	if td.Family == "" || !slices.Equal(td.RequiresCompatibilities, []string{"FARGATE"}) || td.NetworkMode != "awsvpc" {
		t.Errorf("family %q, compatibilities %v, network mode %q: want a Fargate task (awsvpc)", td.Family, td.RequiresCompatibilities, td.NetworkMode)
	}
	if !slices.Contains(fargateMemory[td.CPU], td.Memory) {
		t.Errorf("cpu %s with memory %s: not a Fargate size", td.CPU, td.Memory)
	}
	if td.RuntimePlatform.OperatingSystemFamily != "LINUX" || !slices.Contains([]string{"ARM64", "X86_64"}, td.RuntimePlatform.CPUArchitecture) {
		t.Errorf("runtime platform %+v", td.RuntimePlatform)
	}
	if !strings.HasPrefix(td.ExecutionRoleArn, "arn:aws:iam::") {
		t.Errorf("executionRoleArn %q: Fargate needs one to pull from ECR and write logs", td.ExecutionRoleArn)
	}
	if len(td.ContainerDefinitions) != 1 {
		t.Fatalf("%d containers, want 1", len(td.ContainerDefinitions))
	}
	c := td.ContainerDefinitions[0]
	uid, _, _ := strings.Cut(c.User, ":")
	if n, err := strconv.Atoi(uid); c.Essential == nil || !*c.Essential || err != nil || n == 0 || !c.ReadonlyRootFilesystem {
		t.Errorf("container: essential %v, user %q, read-only root %v: want essential, a non-zero uid, read-only", c.Essential, c.User, c.ReadonlyRootFilesystem)
	}
	if c.LogConfiguration.LogDriver != "awslogs" || c.LogConfiguration.Options["awslogs-group"] == "" {
		t.Errorf("log configuration %+v", c.LogConfiguration)
	}

	port := listenPort(t, c.Command)
	if len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != port || c.PortMappings[0].Protocol != "tcp" {
		t.Errorf("port mappings %+v, want %d/tcp (--metrics-listen)", c.PortMappings, port)
	}
	if c.DockerLabels["ECS_PROMETHEUS_EXPORTER_PORT"] != strconv.Itoa(port) || c.DockerLabels["ECS_PROMETHEUS_METRICS_PATH"] != promexport.MetricsPath {
		t.Errorf("docker labels %v: the CloudWatch agent's discovery would not find /metrics on %d", c.DockerLabels, port)
	}

	// The health check: ECS's bounds, and a command that fails when
	// /healthz does, on the --metrics-listen port.
	hc := c.HealthCheck
	if hc == nil {
		t.Fatal("no healthCheck")
	}
	if hc.Interval < 5 || hc.Interval > 300 || hc.Timeout < 2 || hc.Timeout > 60 || hc.Retries < 1 || hc.Retries > 10 || hc.StartPeriod < 0 || hc.StartPeriod > 300 {
		t.Errorf("health check %+v outside ECS's bounds (interval 5–300, timeout 2–60, retries 1–10, startPeriod 0–300)", hc)
	}
	if len(hc.Command) < 3 || hc.Command[0] != "CMD" || !strings.HasSuffix(hc.Command[1], "/cfprewarm") {
		t.Fatalf("health check command %q: want CMD and the image's cfprewarm (the image has no shell)", hc.Command)
	}
	checkHealthCommand(t, hc.Command[2:], port)

	runDocumentedDaemon(t, c.Command)
}

// checkHealthCommand runs the health check's cfprewarm arguments against
// an exporter on loopback (their URL moved to its port, which must be the
// metrics port): exit 0 while it is healthy, non-zero once it is not.
func checkHealthCommand(t *testing.T, args []string, port int) {
	t.Helper()
	i := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, "http://") })
	if i < 0 {
		t.Fatalf("health check %q has no http:// URL", args)
	}
	u, err := url.Parse(args[i])
	if err != nil {
		t.Fatal(err)
	}
	if u.Port() != strconv.Itoa(port) || u.Path != promexport.HealthPath || u.Hostname() != "127.0.0.1" {
		t.Errorf("health check URL %s, want http://127.0.0.1:%d%s", u, port, promexport.HealthPath)
	}
	var clk time.Duration // added to the real time
	exp := promexport.New(time.Minute, promexport.WithClock(func() time.Time { return time.Now().Add(clk) }))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: exp.Handler()}
	go srv.Serve(ln)
	defer srv.Close()
	moved := slices.Clone(args)
	u.Host = ln.Addr().String()
	moved[i] = u.String()
	moved = append(moved, "--dns-server", "127.0.0.1:9")

	if code, out, errOut := runCLI(moved...); code != 0 {
		t.Errorf("health check while healthy: exit %d\n%s%s", code, out, errOut)
	}
	exp.Observe(&warm.Result{Waves: []warm.Wave{{Start: time.Now(), POPs: []warm.POPResult{{POP: "HKG54-C1"}}}}})
	clk = 2 * time.Minute
	if code, out, errOut := runCLI(moved...); code == 0 {
		t.Errorf("health check while /healthz answers 503: exit 0\n%s%s", out, errOut)
	}
}

// docs/daemon.md shows both examples as they are in docs/examples.
func TestDaemonDocShowsExamples(t *testing.T) {
	doc, err := os.ReadFile(daemonDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, fence string }{{kubernetesExample, "```yaml\n"}, {ecsExample, "```json\n"}} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(doc, []byte(c.fence+string(b)+"```\n")) {
			t.Errorf("%s does not show %s as it is (a %s block)", daemonDoc, c.file, strings.TrimSpace(c.fence))
		}
	}
}
