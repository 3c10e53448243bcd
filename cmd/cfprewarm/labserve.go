package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/config"
	"github.com/cfprewarm/cfprewarm/lab"
)

const labServeAbout = `
Keeps one lab running until Ctrl-C: the origin, one emulated POP per code of
the profile (each on its own 127.0.0.x address, all on one port), the DNS
server and the CA, in real time (no time scaling). It prints the addresses
and ready-to-paste probe, warm and curl commands. Clients other than the lab's
own probe pay the viewer link's round trips and the POP's TLS time for TLS
and requests, but not the round trip of the TCP connect (0.5 ms in hkg-fra).`

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
		fmt.Fprintf(w, "  %-9s %s:%d  %s%s\n", code, env.POPAddr(code), env.Port, name, mark)
	}
	printSubnets(w, p)
	url := env.ViewerURL()
	fmt.Fprintf(w, `
Try:
  cfprewarm probe --dns-server %[1]s --cacert %[2]s --count 5 --interval 2s %[3]s
  cfprewarm warm %[4]s --pops %[5]s --port %[6]d --dns-server %[1]s --cacert %[2]s --keepalive %[7]s --every 20s
  cfprewarm warm %[4]s --pops %[5]s --port %[6]d --dns-server %[1]s --cacert %[2]s --requests auto --waves 3 --wave-interval 2s
  curl -sS -o /dev/null -D - -H 'Pragma: server-timing' --cacert %[2]s --resolve %[4]s:%[6]d:%[8]s %[3]s
  curl -sS -o /dev/null -w '%[11]s' --cacert %[2]s --resolve %[4]s:%[6]d:%[8]s %[3]s
  curl -sS --cacert %[2]s --resolve %[9]s:%[10]s:127.0.0.1 https://%[9]s:%[10]s/metrics

Ctrl-C stops the lab.
`, env.DNSAddr, caFile, url, lab.Distribution, strings.Join(p.POPs(), ","), env.Port, cfg.KeepAlive, viewer,
		lab.OriginHost, originPort(env.OriginAddr), curlTimingFormat)
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
