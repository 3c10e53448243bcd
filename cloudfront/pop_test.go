package cloudfront

import (
	"slices"
	"strings"
	"testing"
)

func TestPOPHostname(t *testing.T) {
	for _, tc := range []struct {
		dist, pop, want string
	}{
		{"d111111abcdef8.cloudfront.net", "HKG54-C1", "d111111abcdef8.HKG54-C1.cloudfront.net"},
		{"D111111ABCDEF8.CloudFront.net.", "hkg54-c1", "d111111abcdef8.HKG54-C1.cloudfront.net"},
		{"d111111abcdef8", "FRA56-P3", "d111111abcdef8.FRA56-P3.cloudfront.net"},
		{"d111111abcdef8", "fra2", "d111111abcdef8.FRA2.cloudfront.net"},
		{"d111111abcdef8", "SIN2-P11", "d111111abcdef8.SIN2-P11.cloudfront.net"},
		{"api.example.com", "HKG54-C1", ""},
		{"d111111abcdef8.cloudfront.net", "HKG540", ""},
		{"d111111abcdef8.cloudfront.net", "hongkong", ""},
		{"", "HKG54-C1", ""},
	} {
		got, err := POPHostname(tc.dist, tc.pop)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("POPHostname(%q, %q) = %q, %v; want %q", tc.dist, tc.pop, got, err, tc.want)
		}
	}
}

// TestPOPCodeForms: every form CloudFront has written is a POP code, in
// any case and with spaces around it; anything else is refused with the
// rule in the message.
func TestPOPCodeForms(t *testing.T) {
	for in, want := range map[string]string{
		"FRA2": "FRA2", "LAX1": "LAX1", "DFW3": "DFW3", "FRA53": "FRA53", "BOM52": "BOM52", "LHR5": "LHR5",
		"SEA19-C1": "SEA19-C1", "IAH50-C2": "IAH50-C2", "HKG62-C1": "HKG62-C1", "FRA56-P3": "FRA56-P3",
		"SIN2-P11": "SIN2-P11", "FRA56-P15": "FRA56-P15", "PVG52-E1": "PVG52-E1",
		"ams50-c1": "AMS50-C1", " nrt57-p2 ": "NRT57-P2", "fra2": "FRA2",
	} {
		got, err := NormalizePOPCode(in)
		if got != want || err != nil {
			t.Errorf("NormalizePOPCode(%q) = %q, %v; want %q", in, got, err, want)
		}
		if !ValidPOPCode(want) {
			t.Errorf("ValidPOPCode(%q) = false", want)
		}
	}
	for _, in := range []string{"", "FR2", "FRAN2", "FRA", "FRA123", "FRA2-", "FRA2-X1", "FRA2-C", "FRA2-C123",
		"HKG54C1", "HKG54-C1-P2", "1RA2", "hongkong", "HKG54_C1", strings.Repeat("A", 500)} {
		got, err := NormalizePOPCode(in)
		if err == nil {
			t.Errorf("NormalizePOPCode(%q) = %q, want an error", in, got)
			continue
		}
		if !strings.Contains(err.Error(), POPCodeRule) || len(err.Error()) > 300 {
			t.Errorf("NormalizePOPCode(%q): %v: want the rule in a short message", in, err)
		}
	}
	if ValidPOPCode("hkg54-c1") {
		t.Error("ValidPOPCode takes codes as CloudFront writes them, upper case")
	}
}

// TestNormalizePOPCodes: valid codes in any case come back as CloudFront
// writes them; anything else is kept as given for validation to name.
func TestNormalizePOPCodes(t *testing.T) {
	got := NormalizePOPCodes([]string{" hkg62-c1", "FRA2", "not a pop"})
	if want := []string{"HKG62-C1", "FRA2", "not a pop"}; !slices.Equal(got, want) {
		t.Errorf("NormalizePOPCodes = %q, want %q", got, want)
	}
}
