package cloudfront

import "testing"

func TestPOPHostname(t *testing.T) {
	for _, tc := range []struct {
		dist, pop, want string
	}{
		{"d111111abcdef8.cloudfront.net", "HKG54-C1", "d111111abcdef8.HKG54-C1.cloudfront.net"},
		{"D111111ABCDEF8.CloudFront.net.", "hkg54-c1", "d111111abcdef8.HKG54-C1.cloudfront.net"},
		{"d111111abcdef8", "FRA56-P3", "d111111abcdef8.FRA56-P3.cloudfront.net"},
		{"api.example.com", "HKG54-C1", ""},
		{"d111111abcdef8.cloudfront.net", "HKG54", ""},
		{"d111111abcdef8.cloudfront.net", "hongkong", ""},
		{"", "HKG54-C1", ""},
	} {
		got, err := POPHostname(tc.dist, tc.pop)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("POPHostname(%q, %q) = %q, %v; want %q", tc.dist, tc.pop, got, err, tc.want)
		}
	}
}
