package main

import "strings"

// closest returns the candidate a mistyped word most likely meant ("prob"
// → "probe", "pop" → "pops", "wram" → "warm"): the only candidate the word
// begins, or else the only one nearest to it, within an edit distance of
// one for short words and two for words of six letters or more (a
// swapped pair of letters counts as one edit). It returns "" when none is
// near enough or two are equally near.
func closest(word string, candidates []string) string {
	if word == "" {
		return ""
	}
	var prefixed []string
	for _, c := range candidates {
		if c != word && strings.HasPrefix(c, word) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 && len(word) >= 2 {
		return prefixed[0]
	}
	limit := 1
	if len(word) >= 6 {
		limit = 2
	}
	best, bestDist, tie := "", limit+1, false
	for _, c := range candidates {
		switch d := editDistance(word, c); {
		case d < bestDist:
			best, bestDist, tie = c, d, false
		case d == bestDist && c != best:
			tie = true
		}
	}
	if tie || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b:
// insertions, deletions, substitutions and swaps of neighbours, one each.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// didYouMean is ": did you mean X?" for the closest candidate, or "".
func didYouMean(word string, candidates []string, prefix string) string {
	if c := closest(word, candidates); c != "" {
		return ": did you mean " + prefix + c + "?"
	}
	return ""
}
