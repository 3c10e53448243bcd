// Package format writes probe results and summaries for people and machines:
// the seed script's line (check_url_timing.sh), an aligned human line, JSON
// lines and CSV. It only formats; it never measures.
package format
