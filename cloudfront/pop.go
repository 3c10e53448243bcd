package cloudfront

import (
	"fmt"
	"regexp"
	"strings"
)

// DomainSuffix is the domain of every distribution and POP name.
const DomainSuffix = ".cloudfront.net"

// popCode matches the POP codes CloudFront has written over the years
// (shared/reference/cloudfront-facts.md): three letters (the nearest
// airport) and one or two digits, bare as in logs before about 2019 (FRA2,
// LAX1, DFW3, FRA53) or with a suffix of -C, -P or -E and one or two digits
// (SEA19-C1, SIN2-P11, FRA56-P15, China's PVG52-E1). AWS defines only "a
// three-letter code and an arbitrarily assigned number".
var popCode = regexp.MustCompile(`^[A-Z]{3}[0-9]{1,2}(-[CPE][0-9]{1,2})?$`)

// POPCodeRule says in words which names are POP codes: every message that
// refuses one quotes it.
const POPCodeRule = "three letters, one or two digits and an optional -C, -P or -E with one or two digits, e.g. HKG54-C1, SIN2-P11, PVG52-E1 or the older FRA2"

// ValidPOPCode reports whether code is a CloudFront POP code as CloudFront
// writes them (upper case). Codes from elsewhere go through NormalizePOPCode.
func ValidPOPCode(code string) bool { return popCode.MatchString(code) }

// NormalizePOPCode returns a POP code as CloudFront writes it: spaces
// trimmed and upper-cased (DNS names carry it in lower case:
// d3wov59arknox.ams50-c1.cloudfront.net). This is the one place a code's
// case is normalized; a name that is no POP code is an error quoting
// POPCodeRule.
func NormalizePOPCode(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if !ValidPOPCode(code) {
		return "", fmt.Errorf("POP code %q: want %s", clipCode(s), POPCodeRule)
	}
	return code, nil
}

// NormalizePOPCodes returns a list of POP codes with every valid one
// normalized (NormalizePOPCode) and every other kept as given, so that a
// configuration's validation can refuse it by name.
func NormalizePOPCodes(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if code, err := NormalizePOPCode(c); err == nil {
			c = code
		}
		out = append(out, c)
	}
	return out
}

// clipCode keeps an error message short whatever the input.
func clipCode(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

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
	code, err := NormalizePOPCode(pop)
	if err != nil {
		return "", err
	}
	return label + "." + code + DomainSuffix, nil
}
