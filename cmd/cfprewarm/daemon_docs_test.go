package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

// The container examples of docs/daemon.md, which shows them verbatim.
const (
	kubernetesExample = "../../docs/examples/kubernetes.yaml"
	ecsExample        = "../../docs/examples/ecs-task-definition.json"
	daemonDoc         = "../../docs/daemon.md"
)

// The fields of Kubernetes objects the example uses, named as the API
// names them; decoding with KnownFields refuses any other (a typo such as
// "livenesProbe" or "containerport" fails here instead of in a cluster,
// which would ignore or reject it).
type (
	k8sObject struct {
		APIVersion string      `yaml:"apiVersion"`
		Kind       string      `yaml:"kind"`
		Metadata   k8sMetadata `yaml:"metadata"`
		Spec       yaml.Node   `yaml:"spec"` // decoded by kind
	}
	k8sMetadata struct {
		Name        string            `yaml:"name"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	}
	k8sDeploymentSpec struct {
		Replicas *int `yaml:"replicas"`
		Strategy struct {
			Type          string `yaml:"type"`
			RollingUpdate struct {
				MaxSurge       int `yaml:"maxSurge"`
				MaxUnavailable int `yaml:"maxUnavailable"`
			} `yaml:"rollingUpdate"`
		} `yaml:"strategy"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata k8sMetadata `yaml:"metadata"`
			Spec     k8sPodSpec  `yaml:"spec"`
		} `yaml:"template"`
	}
	k8sPodSpec struct {
		AutomountServiceAccountToken  *bool `yaml:"automountServiceAccountToken"`
		TerminationGracePeriodSeconds int   `yaml:"terminationGracePeriodSeconds"`
		SecurityContext               struct {
			RunAsNonRoot   *bool  `yaml:"runAsNonRoot"`
			RunAsUser      *int64 `yaml:"runAsUser"`
			RunAsGroup     *int64 `yaml:"runAsGroup"`
			SeccompProfile struct {
				Type string `yaml:"type"`
			} `yaml:"seccompProfile"`
		} `yaml:"securityContext"`
		Containers []k8sContainer `yaml:"containers"`
	}
	k8sContainer struct {
		Name  string   `yaml:"name"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
			Protocol      string `yaml:"protocol"`
		} `yaml:"ports"`
		LivenessProbe *struct {
			HTTPGet struct {
				Path string    `yaml:"path"`
				Port yaml.Node `yaml:"port"` // a number or a port's name
			} `yaml:"httpGet"`
			PeriodSeconds    int `yaml:"periodSeconds"`
			TimeoutSeconds   int `yaml:"timeoutSeconds"`
			FailureThreshold int `yaml:"failureThreshold"`
		} `yaml:"livenessProbe"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		SecurityContext struct {
			AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
			Capabilities             struct {
				Drop []string `yaml:"drop"`
			} `yaml:"capabilities"`
		} `yaml:"securityContext"`
	}
	k8sServiceSpec struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string    `yaml:"name"`
			Port       int       `yaml:"port"`
			TargetPort yaml.Node `yaml:"targetPort"`
			Protocol   string    `yaml:"protocol"`
		} `yaml:"ports"`
	}
)

// strictDecode decodes a YAML node refusing unknown fields.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// containerPort resolves a probe's or a Service's port (a number, or the
// name of one of the container's ports) to the container's port number.
func containerPort(t *testing.T, c k8sContainer, n yaml.Node) int {
	t.Helper()
	if p, err := strconv.Atoi(n.Value); err == nil {
		return p
	}
	for _, p := range c.Ports {
		if p.Name == n.Value {
			return p.ContainerPort
		}
	}
	t.Fatalf("port %q is no port of container %s", n.Value, c.Name)
	return 0
}

// listenPort is the port of the container's --metrics-listen.
func listenPort(t *testing.T, args []string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(flagValue(t, args, "metrics-listen"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKubernetesExample(t *testing.T) {
	raw, err := os.ReadFile(kubernetesExample)
	if err != nil {
		t.Fatal(err)
	}
	var dep k8sDeploymentSpec
	var svc k8sServiceSpec
	var svcMeta k8sMetadata
	var kinds []string
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	for {
		var obj k8sObject
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", kubernetesExample, err)
		}
		kinds = append(kinds, obj.APIVersion+" "+obj.Kind)
		switch obj.APIVersion + " " + obj.Kind {
		case "apps/v1 Deployment":
			err = strictDecode(&obj.Spec, &dep)
		case "v1 Service":
			err, svcMeta = strictDecode(&obj.Spec, &svc), obj.Metadata
		}
		if err != nil {
			t.Fatalf("%s %s: %v", obj.Kind, obj.Metadata.Name, err)
		}
	}
	if !slices.Equal(kinds, []string{"apps/v1 Deployment", "v1 Service"}) {
		t.Fatalf("objects %q, want a Deployment and a Service (and no ServiceMonitor)", kinds)
	}

	// One daemon; the selectors find its pods.
	if dep.Replicas == nil || *dep.Replicas != 1 {
		t.Errorf("replicas %v, want 1: a second replica sends every wave twice", dep.Replicas)
	}
	if dep.Strategy.RollingUpdate.MaxUnavailable != 0 {
		t.Error("a rollout may stop the old pod before the new one warms")
	}
	pod := dep.Template.Spec
	for what, sel := range map[string]map[string]string{"Deployment": dep.Selector.MatchLabels, "Service": svc.Selector} {
		if len(sel) == 0 {
			t.Errorf("%s selector empty", what)
		}
		for k, v := range sel {
			if dep.Template.Metadata.Labels[k] != v {
				t.Errorf("%s selector %s=%s does not match the pod's labels %v", what, k, v, dep.Template.Metadata.Labels)
			}
		}
	}

	// Not root, nothing to escalate to, nothing written.
	sc := pod.SecurityContext
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 || sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("pod securityContext %+v: want runAsNonRoot, a non-zero runAsUser, seccomp RuntimeDefault", sc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	csc := c.SecurityContext
	if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation || !csc.ReadOnlyRootFilesystem || !slices.Equal(csc.Capabilities.Drop, []string{"ALL"}) {
		t.Errorf("container securityContext %+v", csc)
	}

	// The metrics port: --metrics-listen, the container's port, the probe,
	// the Service and its scrape annotations agree.
	port := listenPort(t, c.Args)
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != port {
		t.Errorf("container ports %+v, want %d (--metrics-listen)", c.Ports, port)
	}
	lp := c.LivenessProbe
	if lp == nil {
		t.Fatal("no livenessProbe")
	}
	if lp.HTTPGet.Path != promexport.HealthPath || containerPort(t, c, lp.HTTPGet.Port) != port {
		t.Errorf("liveness probe GET %s on port %q, want %s on %d", lp.HTTPGet.Path, lp.HTTPGet.Port.Value, promexport.HealthPath, port)
	}
	every, err := time.ParseDuration(flagValue(t, c.Args, "every"))
	if err != nil {
		t.Fatal(err)
	}
	if slack := time.Duration(lp.PeriodSeconds*lp.FailureThreshold) * time.Second; slack < every {
		t.Errorf("the probe gives up after %v, less than one run (--every %v)", slack, every)
	}
	if len(svc.Ports) != 1 || containerPort(t, c, svc.Ports[0].TargetPort) != port {
		t.Errorf("Service ports %+v, want the target %d", svc.Ports, port)
	}
	ann := svcMeta.Annotations
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != strconv.Itoa(port) || ann["prometheus.io/path"] != promexport.MetricsPath {
		t.Errorf("Service annotations %v, want scrape true, port %d, path %s", ann, port, promexport.MetricsPath)
	}
	if dep.Template.Metadata.Annotations["prometheus.io/scrape"] != "" {
		t.Error("the pod is annotated too: a Prometheus that reads both would scrape it twice")
	}

	// The args are a real command line: run them against loopback.
	runDocumentedDaemon(t, c.Args)
}
