package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

func TestWarmMetricsUsageErrors(t *testing.T) {
	base := []string{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--dns-server", "127.0.0.1:9"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--metrics-listen", "127.0.0.1:0"}, "needs --every"},
		{[]string{"--every", "20s", "--healthz-window", "1m"}, "needs --metrics-listen"},
		{[]string{"--every", "20s", "--metrics-listen", "9090"}, "want host:port"},
		{[]string{"--every", "20s", "--metrics-listen", "127.0.0.1:99999"}, "want host:port"},
		{[]string{"--every", "20s", "--metrics-listen", "127.0.0.1:0", "--healthz-window", "20s"}, "must be longer than --every"},
		{[]string{"--every", "20s", "--metrics-listen", "127.0.0.1:0", "--healthz-window", "0s"}, "must be longer than --every"},
	} {
		code, out, errOut := runCLI(append(base, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line saying %q", c.args, code, out, errOut, c.want)
		}
	}
}

// A port already taken is an error (exit 1) before any request is sent.
func TestWarmMetricsListenTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e, flags := warmEdge(t, loopback.POPSpec{Code: "HKG54-C1"})
	code, _, errOut := runCLI(append(flags, "--every", "20s", "--metrics-listen", ln.Addr().String())...)
	if code != 1 || !strings.Contains(errOut, "--metrics-listen") || !strings.Contains(errOut, "address already in use") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if n := e.Requests(); n != 0 {
		t.Errorf("the POP received %d requests", n)
	}
}

// daemon is `cfprewarm warm` running in the background with its metrics on
// a loopback port.
type daemon struct {
	base   string // http://127.0.0.1:port
	cancel context.CancelFunc
	done   chan int
	stdout bytes.Buffer // read only once done
	stderr bytes.Buffer
}

// freeLoopbackPort returns a port that was free a moment ago.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDaemon runs `cfprewarm warm` with args, whose last --metrics-listen
// must be on loopback. stop ends it like SIGTERM and returns the exit
// status.
func startDaemon(t *testing.T, args []string, metricsAddr string) *daemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{base: "http://" + metricsAddr, cancel: cancel, done: make(chan int, 1)}
	go func() { d.done <- run(ctx, args, &d.stdout, &d.stderr) }()
	t.Cleanup(func() { d.stop(t) })
	return d
}

func (d *daemon) stop(t *testing.T) int {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		d.done <- code
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon did not stop")
		return -1
	}
}

// waitHealthy polls /healthz until it says a wave succeeded.
func (d *daemon) waitHealthy(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-d.done:
			d.done <- code
			t.Fatalf("the daemon exited with %d: %s", code, d.stderr.String())
		default:
		}
		if resp, err := http.Get(d.base + promexport.HealthPath); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.HasPrefix(string(b), "ok: last successful wave") {
				return string(b)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.stop(t)
	t.Fatalf("/healthz never reported a successful wave; stderr: %s", d.stderr.String())
	return ""
}

// metric returns the value of a counter or gauge of the scrape, found by
// its name and labels.
func (d *daemon) metric(t *testing.T, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(d.base + promexport.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	for _, m := range fams[name].GetMetric() {
		match := len(m.GetLabel()) == len(labels)
		for _, l := range m.GetLabel() {
			match = match && labels[l.GetName()] == l.GetValue()
		}
		if match {
			if c := m.GetCounter(); c != nil {
				return c.GetValue(), true
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// runDocumentedDaemon runs the arguments of a documented container (after
// the "warm" subcommand) against a CloudFront on loopback that serves the
// POPs they name, with the loopback port, DNS server and CA added and the
// metrics moved to a loopback port, until a wave succeeded; it checks the
// scrape and /healthz and stops the daemon like SIGTERM does.
func runDocumentedDaemon(t *testing.T, args []string) {
	t.Helper()
	if len(args) < 2 || args[0] != "warm" {
		t.Fatalf("the container runs %q, want cfprewarm warm", args)
	}
	var dist string
	for i := 1; i < len(args); i++ {
		if a := args[i]; !strings.HasPrefix(a, "-") {
			dist = a
			break
		} else if !strings.Contains(a, "=") {
			i++ // the flag's value
		}
	}
	pops := strings.Split(flagValue(t, args, "pops"), ",")
	var specs []loopback.POPSpec
	for _, p := range pops {
		specs = append(specs, loopback.POPSpec{Code: p, Hosts: 2})
	}
	e := loopback.New(t, flagValue(t, args, "host"), dist, specs...)
	addr := "127.0.0.1:" + strconv.Itoa(freeLoopbackPort(t))
	full := append(append([]string{}, args...), "--port", strconv.Itoa(e.Port), "--dns-server", e.DNSAddr,
		"--cacert", e.CAFile, "--metrics-listen", addr)
	d := startDaemon(t, full, addr)
	health := d.waitHealthy(t)
	for _, p := range pops {
		n, ok := d.metric(t, promexport.Prefix+"requests_total", map[string]string{promexport.LabelPOP: p})
		if !ok || n < 1 {
			t.Errorf("%s: requests_total %v (present %v) after a successful wave", p, n, ok)
		}
		if e.POPs[p].Requests() == 0 {
			t.Errorf("%s received no request", p)
		}
	}
	if code := d.stop(t); code != 0 {
		t.Errorf("exit %d after the signal, want 0; stderr: %s", code, d.stderr.String())
	}
	t.Logf("/healthz: %s", strings.TrimSpace(health))
}

// flagValue returns the last value of --name in args (--name=v or --name v).
func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	v, found := "", false
	for i, a := range args {
		if rest, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			v, found = rest, true
		} else if a == "--"+name && i+1 < len(args) {
			v, found = args[i+1], true
		}
	}
	if !found {
		t.Fatalf("no --%s in %q", name, args)
	}
	return v
}
