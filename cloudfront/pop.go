package cloudfront

import (
	"fmt"
	"regexp"
	"strings"
)

// DomainSuffix is the domain of every distribution and POP name.
const DomainSuffix = ".cloudfront.net"

// popCode matches CloudFront POP codes such as HKG54-C1, FRA56-P3, NRT57-P2
// or the China -E1 ones: three letters (the nearest airport), digits, a
// dash, a letter and digits.
var popCode = regexp.MustCompile(`^[A-Z]{3}[0-9]{1,3}-[A-Z][0-9]{1,2}$`)

// ValidPOPCode reports whether code looks like a CloudFront POP code
// (upper case, as CloudFront writes them).
func ValidPOPCode(code string) bool { return popCode.MatchString(code) }

// DistributionLabel returns the first label of a distribution domain:
// "d111111abcdef8" for d111111abcdef8.cloudfront.net (or for the label
// alone), lower-cased. It fails for anything else.
func DistributionLabel(distribution string) (string, error) {
	label := strings.TrimSuffix(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(distribution), ".")), DomainSuffix)
	if label == "" || strings.Contains(label, ".") || !validLabel(label, false) {
		return "", fmt.Errorf("distribution %q: want the distribution domain, e.g. d111111abcdef8.cloudfront.net", distribution)
	}
	return label, nil
}

// POPHostname returns <dist-label>.<POP>.cloudfront.net, the name that
// resolves to the addresses of one POP (community practice, see
// docs/warm.md). distribution is dXXXX.cloudfront.net or just dXXXX; the
// POP code may be in any case.
func POPHostname(distribution, pop string) (string, error) {
	label, err := DistributionLabel(distribution)
	if err != nil {
		return "", err
	}
	pop = strings.ToUpper(pop)
	if !ValidPOPCode(pop) {
		return "", fmt.Errorf("POP code %q does not look like HKG54-C1", pop)
	}
	return label + "." + pop + DomainSuffix, nil
}
