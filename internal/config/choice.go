package config

import (
	"fmt"
	"strings"
)

// ParseChoice returns the element of names equal to s, or an error that
// lists them: the one check of every --format-like value.
func ParseChoice[T ~string](what, s string, names []T) (T, error) {
	list := make([]string, len(names))
	for i, n := range names {
		if string(n) == s {
			return n, nil
		}
		list[i] = string(n)
	}
	return "", fmt.Errorf("unknown %s %q (want one of %s)", what, s, strings.Join(list, ", "))
}
