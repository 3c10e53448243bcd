package ociimage

import (
	"bytes"
	"encoding/pem"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// CACertificatesPath is where the images keep their CA certificates: the
// first file Go's crypto/x509 reads on Linux (and Debian's and distroless'
// path), so no SSL_CERT_FILE is needed and a mounted file replaces it.
const CACertificatesPath = "etc/ssl/certs/ca-certificates.crt"

// CACertificates returns the trusted roots as a PEM bundle, and how many
// roots it left out.
//
// The roots are Mozilla's NSS trust store as golang.org/x/crypto/x509roots
// embeds it in Go code: pinned by go.sum, the same bytes on every machine
// that builds a given commit (a host's /etc/ssl/certs differs between
// distributions and ages, and macOS has none), and updated with `go get`.
// NSS attaches constraints to some roots (a "distrust after" date) that a
// PEM file cannot express; such roots are left out rather than trusted
// without their constraint.
func CACertificates() (bundlePEM []byte, skipped int) {
	var buf bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			skipped++
			continue
		}
		// pem.Encode into a bytes.Buffer fails only for invalid headers; there are none.
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return buf.Bytes(), skipped
}
