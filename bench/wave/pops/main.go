// Command pops serves CloudFront POPs on loopback (package
// internal/loopback: the POP emulator in front of the real origin, a DNS
// server, a throwaway CA) for the prewarm benchmark in bench/wave, in a
// process of its own so that the benchmark measures the prewarmer alone.
// It prints one JSON object (port, DNS server, CA certificate, POP codes)
// and serves until its standard input closes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// Info is what the process prints.
type Info struct {
	Port  int      `json:"port"`
	DNS   string   `json:"dns"`
	CA    []byte   `json:"ca"`
	Codes []string `json:"codes"`
}

func main() {
	host := flag.String("host", "api.example.test", "SNI and Host the POPs serve")
	dist := flag.String("distribution", "d111111abcdef8.cloudfront.net", "distribution domain")
	codes := flag.String("pops", "HKG54-C1,NRT57-P2", "POP codes, comma-separated")
	flag.Parse()
	var specs []loopback.POPSpec
	for _, c := range strings.Split(*codes, ",") {
		specs = append(specs, loopback.POPSpec{Code: c})
	}
	cf, err := loopback.Start(context.Background(), loopback.Config{Host: *host, Distribution: *dist, POPs: specs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pops:", err)
		os.Exit(1)
	}
	defer cf.Close()
	json.NewEncoder(os.Stdout).Encode(Info{Port: cf.Port, DNS: cf.DNSAddr, CA: cf.CA.PEM(), Codes: loopback.Codes(specs)})
	io.Copy(io.Discard, os.Stdin)
}
