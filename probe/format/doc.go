// Package format writes probe results and summaries for people and machines:
// check_url_timing.sh's line (the seed document's script), an aligned human line, JSON
// lines and CSV. It only formats; it never measures.
package format
