package probe

import (
	"fmt"
	"regexp"
	"strings"
)

// popCode matches CloudFront POP codes such as HKG54-C1, FRA56-P3, NRT57-P2
// or the China -E1 ones: three letters, digits, a dash, a letter and digits.
var popCode = regexp.MustCompile(`^[A-Z]{3}[0-9]{1,3}-[A-Z][0-9]{1,2}$`)

// ValidPOPCode reports whether code looks like a CloudFront POP code.
func ValidPOPCode(code string) bool { return popCode.MatchString(code) }

// POPHostname returns <dist-label>.<POP>.cloudfront.net, the name that
// resolves to the addresses of one POP (community practice, see
// docs/warm.md). distribution is dXXXX.cloudfront.net or just dXXXX.
func POPHostname(distribution, pop string) (string, error) {
	label := strings.TrimSuffix(strings.ToLower(strings.TrimSuffix(distribution, ".")), ".cloudfront.net")
	if label == "" || strings.Contains(label, ".") || !isDNSLabel(label) {
		return "", fmt.Errorf("distribution %q: want dXXXX.cloudfront.net", distribution)
	}
	pop = strings.ToUpper(pop)
	if !ValidPOPCode(pop) {
		return "", fmt.Errorf("POP code %q does not look like HKG54-C1", pop)
	}
	return label + "." + pop + ".cloudfront.net", nil
}

func isDNSLabel(s string) bool {
	if len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s[0] != '-' && s[len(s)-1] != '-'
}
