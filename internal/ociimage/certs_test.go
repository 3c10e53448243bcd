package ociimage

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The bundle holds every unconstrained NSS root, as parseable PEM, and no
// root whose constraint a PEM file would lose.
func TestCACertificates(t *testing.T) {
	certs, skipped := CACertificates()
	inPEM := map[string]bool{}
	rest := certs
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Fatalf("a certificate of the bundle: %v", err)
		}
		inPEM[string(b.Bytes)] = true
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		t.Errorf("%d bytes after the last certificate", len(rest))
	}
	var free, constrained int
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			constrained++
			if inPEM[string(root.Certificate)] {
				t.Error("a root with a constraint is in the bundle without it")
			}
			continue
		}
		free++
		if !inPEM[string(root.Certificate)] {
			t.Error("an unconstrained root is missing")
		}
	}
	if len(inPEM) != free || skipped != constrained || free < 100 {
		t.Errorf("bundle has %d roots, %d skipped; NSS has %d unconstrained and %d constrained", len(inPEM), skipped, free, constrained)
	}
	// CloudFront's and AWS's certificates chain to Amazon's roots.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certs) {
		t.Fatal("no certificate appended")
	}
	found := false
	for root := range bundle.Roots() {
		c, _ := x509.ParseCertificate(root.Certificate)
		if c.Subject.CommonName == "Amazon Root CA 1" {
			found = inPEM[string(root.Certificate)]
		}
	}
	if !found {
		t.Error("Amazon Root CA 1 is not in the bundle")
	}
}
