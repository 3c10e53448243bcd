package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
)

func TestDoctorUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "give the distribution"},
		{[]string{"https://api.example.com/"}, "give the distribution"},
		{[]string{"http://d111111abcdef8.cloudfront.net/"}, "want https://host[:port]/path"},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--head"}, "GET requests only"},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--format", "yaml"}, `unknown format "yaml"`},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--pops", "HKG540"}, "POP code \"HKG540\""},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--samples", "0"}, "--samples must not be 0"},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--hosts-out", filepath.Join(dir, "no", "h.json")}, "no directory"},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--origin", "origin.example.com"}, "want https://host[:port]/path"},
		{[]string{"https://d111111abcdef8.cloudfront.net/", "--budget", "10"}, "the run may send 2092 billed requests, more than --budget 10"},
	} {
		// Should a case slip through to a real run, it stays on loopback.
		args := append(append([]string{"doctor"}, tc.args...), "--dns-server", "127.0.0.1:9", "--timeout", "1s")
		code, out, errOut := runCLI(args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
	// The plan is printed before anything is sent, and refused when over.
	_, _, errOut := runCLI("doctor", "https://d111111abcdef8.cloudfront.net/", "--budget", "10", "--dns-server", "127.0.0.1:9")
	if !strings.HasPrefix(errOut, "cfprewarm doctor: at most 2092 billed requests (budget 10)") {
		t.Errorf("the plan is not printed first: %q", errOut)
	}
}

// A run against a loopback POP whose keep-alive is 2 s: the JSON report,
// and the hosts file it writes, which warm and plan then read: warm takes
// its keep-alive (and refuses a wave interval that is not shorter), plan
// plans with its hosts and keep-alive.
func TestDoctorHostsFileFeedsWarmAndPlan(t *testing.T) {
	cf, err := loopback.Start(context.Background(), loopback.Config{Distribution: "d111111abcdef8.cloudfront.net", Seed: 4,
		KeepAlive: 2 * time.Second, OriginLink: link.Link{RTT: 10 * time.Millisecond},
		POPs:    []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 4, AddrCount: 2}},
		Aliases: map[string]string{"d111111abcdef8.cloudfront.net": "HKG62-C1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cf.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, cf.CA.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	hosts := filepath.Join(t.TempDir(), "hosts.json")
	port := strconv.Itoa(cf.Port)
	code, out, errOut := runCLI("doctor", "https://d111111abcdef8.cloudfront.net:"+port+"/", "--dns-server", cf.DNSAddr, "--cacert", ca,
		"--lookup-gap", "10ms", "--min-keepalive", "200ms", "--max-keepalive", "8s", "--format", "json", "--hosts-out", hosts)
	if code != 0 {
		t.Fatalf("doctor: exit %d: %s", code, errOut)
	}
	var doc struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		POPs   []struct {
			POP    string `json:"pop"`
			Census struct {
				Verdict string `json:"verdict"`
				Hosts   struct {
					Hosts int `json:"hosts"`
				} `json:"hosts"`
			} `json:"census"`
			KeepAlive struct {
				Known bool    `json:"known"`
				K     float64 `json:"k_s"`
			} `json:"keepalive"`
		} `json:"pops"`
		Budget struct {
			Planned int `json:"planned"`
			Sent    int `json:"sent"`
		} `json:"budget"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if doc.Schema != 1 || doc.Type != "doctor" || len(doc.POPs) != 1 || doc.POPs[0].POP != "HKG62-C1" || doc.POPs[0].Census.Verdict != "per-host" ||
		doc.POPs[0].Census.Hosts.Hosts != 4 || !doc.POPs[0].KeepAlive.Known || doc.POPs[0].KeepAlive.K < 1.6 || doc.POPs[0].KeepAlive.K > 2.4 ||
		doc.Budget.Sent > doc.Budget.Planned || !strings.Contains(errOut, "at most "+itoa(doc.Budget.Planned)+" billed requests") {
		t.Errorf("report %+v\nstderr %s", doc, errOut)
	}

	code, _, errOut = runCLI("warm", "d111111abcdef8.cloudfront.net", "--pops", "HKG62-C1", "--port", port, "--dns-server", cf.DNSAddr, "--cacert", ca,
		"--requests", "auto", "--hosts-file", hosts, "--waves", "2", "--wave-interval", "3s")
	if code != 2 || !strings.Contains(errOut, "wave interval 3s: must be shorter than the CloudFront origin keep-alive") {
		t.Errorf("warm with the hosts file and a 3 s wave interval: exit %d: %s", code, errOut)
	}
	code, out, errOut = runCLI("warm", "d111111abcdef8.cloudfront.net", "--pops", "HKG62-C1", "--port", port, "--dns-server", cf.DNSAddr, "--cacert", ca,
		"--requests", "auto", "--hosts-file", hosts, "--format", "summary")
	if code != 0 || !strings.Contains(out, `"hosts_from":"hosts-file"`) || !strings.Contains(out, `"requests_per_wave":17`) {
		t.Errorf("warm with the hosts file: exit %d: %s %s", code, out, errOut)
	}

	counts := filepath.Join(t.TempDir(), "counts.csv")
	rows := "pop,second,requests\n"
	for i := range 50 {
		rows += "HKG62-C1," + itoa(1700000000+i*37) + ",1\n"
	}
	os.WriteFile(counts, []byte(rows), 0o644)
	code, out, errOut = runCLI("plan", "--counts", counts, "--hosts-file", hosts, "--format", "json", "--origin-rtt", "50ms")
	var p struct {
		KeepAlive float64 `json:"keepalive_s"`
	}
	json.Unmarshal([]byte(out), &p)
	if code != 0 || !strings.Contains(out, `"hosts-file"`) || p.KeepAlive < 1.6 || p.KeepAlive > 2.4 {
		t.Errorf("plan with the hosts file: exit %d, keep-alive %v s: %s %s", code, p.KeepAlive, out, errOut)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
