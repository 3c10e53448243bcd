package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/lab"
	"github.com/cfprewarm/cfprewarm/origin"
)

const labServeAbout = `
Keeps one lab running until Ctrl-C: the origin, one emulated POP per code of
the profile (each on its own 127.0.0.x address, all on one port), the DNS
server and the CA, in real time (no time scaling). It prints the addresses
and ready-to-paste probe, warm and curl commands. Clients other than the lab's
own probe pay the viewer link's round trips and the POP's TLS time for TLS
and requests, but not the round trip of the TCP connect (0.5 ms in hkg-fra).
What CloudFront does not document is a choice (docs/doctor.md, "The lab"):
--addrs, --split, --via, --pool and --pop-keepalive set it for every POP the
profile says nothing of (the field profile has one POP per alternative),
--origin-shield and --host-id for the whole lab; the POPs' truth is listed,
for cfprewarm doctor to be checked against.`

func runLabServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lab serve", "lab serve [flags]", labServeAbout, stdout)
	var (
		cfg     lab.EnvConfig
		profile = fs.String("profile", lab.DefaultProfile, "geography: "+strings.Join(lab.ProfileNames(), ", "))
		caOut   = fs.String("ca-out", "", "also write the lab CA certificate (PEM) to `FILE`, a new file (removed again when the lab stops)")
	)
	fs.DurationVar(&cfg.KeepAlive, "keepalive", 60*time.Second, "CloudFront origin keep-alive timeout of the POPs (1s to 180s)")
	fs.DurationVar(&cfg.OriginIdle, "origin-idle", 75*time.Second, "the origin server's idle timeout")
	fs.IntVar(&cfg.Hosts, "hosts", lab.DefaultHosts, "edge hosts per POP")
	fs.IntVar(&cfg.Port, "port", 0, "port of the POPs (0: a free one)")
	var via, pool string
	var popKeepAlive []string
	fs.IntVar(&cfg.Field.Addrs, "addrs", 1, "addresses each POP's name resolves to (CloudFront answers with 4)")
	fs.BoolVar(&cfg.Field.Split, "split", false, "give each address edge hosts of its own (default: every address leads to all hosts)")
	fs.StringVar(&via, "via", string(edge.ViaHost), "what the via id names: "+viaNames())
	fs.StringVar(&pool, "pool", string(edge.PoolReuseFreed), "origin pool policy: reuse-freed (a waiting request takes a connection another frees) or new-if-none-idle (nginx: a new connection whenever none is idle)")
	fs.StringArrayVar(&popKeepAlive, "pop-keepalive", nil, "a POP's own origin keep-alive, `CODE=D` (repeatable)")
	fs.BoolVar(&cfg.OriginShield, "origin-shield", false, "put an Origin Shield between the POPs and the origin (cdn-upstream-layer says so)")
	fs.BoolVar(&cfg.HostID, "host-id", false, "emulate the sample stack's CloudFront Function on "+origin.HostIDPath+" (the origin echoes "+cloudfront.HeaderEdgeServerIP+"; origin verification on)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if cfg.Profile, err = lab.LookupProfile(*profile); err != nil {
		return usageError{err}
	}
	if err := fieldFlags(&cfg, via, pool, popKeepAlive); err != nil {
		return err
	}
	if cfg.KeepAlive < time.Second || cfg.KeepAlive > 180*time.Second {
		return usagef("--keepalive %v: CloudFront accepts 1s to 180s", cfg.KeepAlive)
	}
	switch {
	case cfg.OriginIdle <= 0:
		return usagef("--origin-idle %v: want a positive duration", cfg.OriginIdle)
	case cfg.Hosts < 1 || cfg.Hosts > lab.MaxHosts:
		return usagef("--hosts %d: want 1 to %d edge hosts per POP", cfg.Hosts, lab.MaxHosts)
	case cfg.Port < 0 || cfg.Port > 65535:
		return usagef("--port %d: want 0 (a free one) to 65535", cfg.Port)
	}
	if *caOut != "" {
		if err := checkNewFile("--ca-out", *caOut); err != nil {
			return err
		}
	}
	env, err := lab.Start(ctx, cfg)
	if err != nil {
		if errors.Is(err, config.ErrInvalid) {
			return usageError{err}
		}
		return err
	}
	caFile := env.CAFile
	if *caOut != "" {
		var created bool
		if created, err = writeNewFile(*caOut, env.CA.PEM()); created {
			defer os.Remove(*caOut) // only what the lab made
		}
		if err == nil {
			caFile, err = filepath.Abs(*caOut)
		}
	}
	if err == nil {
		printLabServe(stdout, env, cfg, caFile)
		<-ctx.Done()
		fmt.Fprintln(stderr, "lab: stopping")
	}
	return errors.Join(err, env.Close())
}

func printLabServe(w io.Writer, env *lab.Env, cfg lab.EnvConfig, caFile string) {
	p := cfg.Profile
	viewer := env.POPAddr(p.ViewerPOP)
	fmt.Fprintf(w, "cfprewarm lab: %s (%s)\n", p.Name, p.Description)
	fmt.Fprintf(w, "  viewer↔POP %s, POP TLS handshake %s, POP↔origin %s, keep-alive %s, origin idle %s, %d edge hosts per POP\n\n",
		p.ViewerLink, p.EdgeTLS, p.OriginLink, cfg.KeepAlive, cfg.OriginIdle, cfg.Hosts)
	fmt.Fprintf(w, "origin      https://%s (%s)\n", env.OriginAddr, lab.OriginHost)
	fmt.Fprintf(w, "DNS server  %s\n", env.DNSAddr)
	fmt.Fprintf(w, "CA file     %s\n", caFile)
	fmt.Fprintln(w, "POPs:")
	codes := p.POPs()
	sort.Strings(codes)
	for _, code := range codes {
		name, _ := cloudfront.POPHostname(lab.Distribution, code)
		mark := ""
		if code == p.ViewerPOP {
			mark = "  ← " + lab.Distribution + " and " + lab.CustomHost + " resolve here"
		}
		if n := p.HostsOf(code, cfg.Hosts); n != cfg.Hosts {
			mark = fmt.Sprintf("  (%d edge hosts)", n) + mark
		}
		fmt.Fprintf(w, "  %-9s %s:%d  %s%s\n", code, addrList(env.POPs[code].Addrs), env.Port, name, mark)
	}
	printSubnets(w, p)
	fmt.Fprintln(w, "The truth (what cfprewarm doctor should find):")
	for _, line := range env.Truth() {
		fmt.Fprintf(w, "  %s\n", line)
	}
	if cfg.OriginShield {
		fmt.Fprintln(w, "  every POP reaches the origin through an Origin Shield")
	}
	if cfg.HostID {
		fmt.Fprintf(w, "  %s answers with the edge server's address in %s\n", origin.HostIDPath, cloudfront.HeaderEdgeServerIP)
	}
	secretHeader := "" // the origin verifies the POPs' secret with --host-id
	if cfg.HostID {
		secretHeader = fmt.Sprintf("-H '%s: %s' ", origin.DefaultVerifyHeader, lab.OriginSecret)
	}
	url := env.ViewerURL()
	fmt.Fprintf(w, `
Try:
  cfprewarm probe --dns-server %[1]s --cacert %[2]s --count 5 --interval 2s %[3]s
  cfprewarm warm %[4]s --pops %[5]s --port %[6]d --dns-server %[1]s --cacert %[2]s --keepalive %[7]s --every 20s
  cfprewarm warm %[4]s --pops %[5]s --port %[6]d --dns-server %[1]s --cacert %[2]s --requests auto --waves 3 --wave-interval 2s
  cfprewarm doctor %[3]s --dns-server %[1]s --cacert %[2]s --skip-keepalive
  curl -sS -o /dev/null -D - -H 'Pragma: server-timing' --cacert %[2]s --resolve %[4]s:%[6]d:%[8]s %[3]s
  curl -sS -o /dev/null -w '%[11]s' --cacert %[2]s --resolve %[4]s:%[6]d:%[8]s %[3]s
  curl -sS %[12]s--cacert %[2]s --resolve %[9]s:%[10]s:127.0.0.1 https://%[9]s:%[10]s/metrics

Ctrl-C stops the lab.
`, env.DNSAddr, caFile, url, lab.Distribution, strings.Join(p.POPs(), ","), env.Port, cfg.KeepAlive, viewer,
		lab.OriginHost, originPort(env.OriginAddr), curlTimingFormat, secretHeader)
}

// fieldFlags sets the lab's field from lab serve's flags.
func fieldFlags(cfg *lab.EnvConfig, via, pool string, popKeepAlive []string) error {
	v, err := edge.ParseViaMode(via)
	if err != nil {
		return usagef("--via: %v", err)
	}
	pl, err := edge.ParsePoolPolicy(pool)
	if err != nil {
		return usagef("--pool: %v", err)
	}
	cfg.Field.Via, cfg.Field.Pool = v, pl
	if err := cfg.Field.Check(cfg.Hosts); err != nil {
		return usagef("--addrs, --split: %v", err)
	}
	for _, kv := range popKeepAlive {
		code, d, ok := strings.Cut(kv, "=")
		k, err := time.ParseDuration(d)
		c, cerr := cloudfront.NormalizePOPCode(code)
		if !ok || err != nil || cerr != nil || k < time.Second || k > 180*time.Second || !slices.Contains(cfg.Profile.POPs(), c) {
			return usagef("--pop-keepalive %q: want CODE=D with a POP of the profile (%s) and D from 1s to 180s", kv, strings.Join(cfg.Profile.POPs(), ","))
		}
		f := cfg.Field
		if pf, ok := cfg.Profile.Field[c]; ok {
			f = pf
		}
		f.KeepAlive = k
		fields := maps.Clone(cfg.Profile.Field)
		if fields == nil {
			fields = map[string]lab.POPField{}
		}
		fields[c] = f
		cfg.Profile.Field = fields
	}
	return nil
}

func viaNames() string {
	var s []string
	for _, v := range edge.ViaModes {
		s = append(s, string(v))
	}
	return strings.Join(s, ", ")
}

func addrList(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// curlTimingFormat is check_url_timing.sh's curl -w line, so that curl's
// own timings can be set beside the published ones.
const curlTimingFormat = `Total: %{time_total}, DNS: %{time_namelookup}, TCP: %{time_connect}, SSL: %{time_appconnect}, Request: %{time_starttransfer}\n`

func originPort(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	return addr[i+1:]
}

// printSubnets lists the profile's client-subnet table, with a warm
// command that finds its POP by EDNS Client Subnet.
func printSubnets(w io.Writer, p lab.Profile) {
	if len(p.Subnets) == 0 {
		return
	}
	fmt.Fprintln(w, "Viewer networks (the DNS server answers by EDNS Client Subnet; try warm --client-subnet CIDR):")
	for _, cidr := range slices.Sorted(maps.Keys(p.Subnets)) {
		fmt.Fprintf(w, "  %-18s → %s\n", cidr, p.Subnets[cidr])
	}
}
