package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

func TestWarmSizingUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hostsCSV := filepath.Join(dir, "hosts.csv")
	if err := os.WriteFile(hostsCSV, []byte("pop,hosts\nHKG54-C1,8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"warm", "d1.cloudfront.net", "--pops", "HKG54-C1", "--dns-server", "127.0.0.1:9"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--requests", "many"}, `--requests "many": want a whole number of at least 1, or auto`},
		{[]string{"--requests", "auto", "--coverage", "1.5"}, "coverage 1.5"},
		{[]string{"--requests", "auto", "--coverage", "0"}, "--coverage must not be 0"},
		{[]string{"--requests", "auto", "--min-requests", "300", "--max-requests", "100"}, "min requests 300: more than max requests 100"},
		{[]string{"--adapt"}, "--adapt needs --requests auto"},
		{[]string{"--coverage", "0.9"}, "--coverage needs --requests auto"},
		{[]string{"--client-subnet", "198.51.100.0/33"}, `--client-subnet "198.51.100.0/33"`},
		// One network twice, however spelled, would be warmed (and billed) twice.
		{[]string{"--client-subnet", "203.0.113.1/24", "--client-subnet", "203.0.113.0/24"}, "client subnet 203.0.113.0/24: listed twice"},
		{[]string{"--client-subnet", "203.0.113.0/24,203.0.113.9/24"}, "client subnet 203.0.113.0/24: listed twice"},
		{[]string{"--requests", "0"}, `--requests "0": must not be 0`},
		{[]string{"--max-requests", "50"}, "--max-requests needs --requests auto"},
		{[]string{"--hosts-file", hostsCSV}, "--hosts-file needs --requests auto"},
		{[]string{"--tls-version", "1.1"}, `--tls-version "1.1": want 1.2 or 1.3`},
		{[]string{"--requests", "auto", "--hosts-file", "/nonexistent/hosts.json"}, "hosts file:"},
		{[]string{"--hosts-out", ""}, "--hosts-out is empty"},
		// Checked before the first wave, not after every wave was sent.
		{[]string{"--hosts-out", "/nonexistent/hosts.json"}, "--hosts-out /nonexistent/hosts.json: no directory /nonexistent"},
		{[]string{"--hosts-out", dir}, "--hosts-out " + dir + ": exists and is not a regular file"},
		{[]string{"--hosts-out", filepath.Join(file, "hosts.json")}, "no directory " + file},
	} {
		code, out, errOut := runCLI(append(base, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d stderr %q, want 2 and one line saying %q", c.args, code, errOut, c.want)
		}
	}
}

// --requests auto over three waves sizes each POP from its edge hosts, the
// table says so, and --hosts-out writes the estimates (read back by
// --hosts-file).
func TestWarmAutoHostsOut(t *testing.T) {
	specs := []loopback.POPSpec{{Code: "HKG54-C1", Hosts: 4}, {Code: "NRT57-P2", Hosts: 8}}
	cf, err := loopback.Start(context.Background(), loopback.Config{Distribution: warmDist, Host: warmHost, POPs: specs,
		Subnets: map[string]string{"198.51.100.0/24": "NRT57-P2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	hostsOut := filepath.Join(t.TempDir(), "hosts.json")
	code, out, errOut := runCLI("warm", warmDist, "--host", warmHost, "--pops", "HKG54-C1", "--client-subnet", "198.51.100.0/24",
		"--port", strconv.Itoa(cf.Port), "--dns-server", cf.DNSAddr, "--cacert", cf.CAFile,
		"--requests", "auto", "--waves", "3", "--wave-interval", "50ms", "--hosts-out", hostsOut)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	// Wave 2's rows: N is auto's for the counted hosts (17 for 4, 35 for 8).
	var rows [][]string
	for line := range strings.Lines(out[strings.Index(out, "wave 2/3"):strings.Index(out, "wave 3/3")]) {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "HKG54-C1" || f[0] == "NRT57-P2") {
			rows = append(rows, f)
		}
	}
	if len(rows) != 2 || rows[0][2] != "17" || rows[0][6] != "99.2%" || rows[0][7] != "4" || rows[0][8] != "4" ||
		strings.Join(rows[1][:3], " ") != "NRT57-P2 via 198.51.100.0/24" || rows[1][4] != "35" {
		t.Errorf("wave 2 rows %q, want 17 requests for HKG54-C1's 4 hosts, 35 for the subnet's POP of 8:\n%s", rows, out)
	}
	got, err := edgehosts.ReadFile(hostsOut)
	if err != nil || got["HKG54-C1"].Hosts != 4 || got["NRT57-P2"].Hosts != 8 || got["NRT57-P2"].Method != edgehosts.Method {
		t.Fatalf("hosts file: %+v %v", got, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(hostsOut)); len(entries) != 1 {
		t.Errorf("%d files beside the hosts file, want none (no temporary files left)", len(entries)-1)
	}
	// The file primes the next run: its first wave plans with the counts.
	code, out, errOut = runCLI("warm", warmDist, "--host", warmHost, "--pops", "HKG54-C1,NRT57-P2",
		"--port", strconv.Itoa(cf.Port), "--dns-server", cf.DNSAddr, "--cacert", cf.CAFile,
		"--requests", "auto", "--hosts-file", hostsOut, "--format", "summary")
	if code != 0 || !strings.Contains(out, `"hosts_from":"hosts-file"`) || !strings.Contains(out, `"requests_per_wave":35`) {
		t.Errorf("exit %d %s: want the hosts file's counts used (35 requests for 8 hosts)\n%s", code, errOut, out)
	}
}
