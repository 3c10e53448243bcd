package labca

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIssueVerifies(t *testing.T) {
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("*.cloudfront.net", "api.example.test", "127.0.0.1", "::1")
	if err != nil {
		t.Fatal(err)
	}
	if cert.Leaf == nil {
		t.Fatal("Leaf not set")
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"d111111abcdef8.cloudfront.net", true},
		{"D111111ABCDEF8.CloudFront.net", true},
		{"api.example.test", true},
		{"127.0.0.1", true},
		{"::1", true},
		{"d111.HKG62-C1.cloudfront.net", false}, // a wildcard covers one label only
		{"cloudfront.net", false},
		{"other.example.test", false},
		{"127.0.0.2", false},
	}
	for _, tt := range tests {
		_, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: tt.name, Roots: ca.Pool()})
		if (err == nil) != tt.ok {
			t.Errorf("verify %s: err=%v, want ok=%v", tt.name, err, tt.ok)
		}
	}

	other, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "api.example.test", Roots: other.Pool()}); err == nil {
		t.Error("leaf verified against another CA")
	}
}

func TestIssueRejectsNoNames(t *testing.T) {
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Issue(); err == nil {
		t.Error("Issue() without names succeeded")
	}
	if _, err := ca.Issue("a.test", ""); err == nil {
		t.Error("Issue with an empty name succeeded")
	}
}

// TestHandshake runs a TLS 1.3 handshake over an in-memory pipe with the
// issued certificate on one side and the CA pool on the other.
func TestHandshake(t *testing.T) {
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("origin.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	errc := make(chan error, 1)
	go func() {
		errc <- tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{cert}}).HandshakeContext(ctx)
	}()
	client := tls.Client(cc, &tls.Config{ServerName: "origin.lab.test", RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13})
	if err := client.HandshakeContext(ctx); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
}

func TestWritePEM(t *testing.T) {
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := ca.WritePEM(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatal("written PEM does not parse")
	}
	leaf, err := ca.Issue("x.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "x.lab.test", Roots: pool}); err != nil {
		t.Errorf("leaf does not verify against the written CA file: %v", err)
	}
	if !ca.Certificate().IsCA {
		t.Error("CA certificate is not a CA")
	}
	if err := ca.WritePEM(filepath.Join(t.TempDir(), "missing", "ca.pem")); err == nil {
		t.Error("WritePEM into a missing directory succeeded")
	}
}
