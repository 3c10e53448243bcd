package plan

import "fmt"

// assumptions says which assumptions the model made, from what the input
// told of its requests (Seen): where a field was missing, what it took
// instead and which way that errs.
func assumptions(s Seen, t Traffic, pool PoolPolicy, source string) []string {
	all := s.Requests + s.Prewarm
	if all == 0 {
		return nil
	}
	share := func(n uint64) string { return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(all)) }
	var out []string
	switch {
	case t.ViewerIdle == 0 && source == "logs":
		out = append(out, "viewer connections not grouped (viewer idle 0): every request opened a connection of its own, on an edge host drawn at random; requests that share a connection share its host, so viewers are warmer than this plan says")
	case s.Connection == 0 && source == "counts":
		out = append(out, "the counts file has no gap column: every request opened a viewer connection of its own, on an edge host drawn at random; requests that share a connection share its host, so viewers are warmer than this plan says (docs/plan.md's query has the column)")
	case s.Connection == 0:
		out = append(out, "no c-ip and c-port in the logs: every request opened a viewer connection of its own, on an edge host drawn at random; requests that share a connection share its host, so viewers are warmer than this plan says")
	case s.Connection < all:
		out = append(out, fmt.Sprintf("viewer connections from c-ip, c-port and the POP for %s of the requests (the others each opened one of their own), gaps up to %v", share(s.Connection), t.ViewerIdle))
	default:
		out = append(out, fmt.Sprintf("viewer connections from c-ip, c-port and the POP, gaps up to %v: a connection's requests go to the edge host it landed on", t.ViewerIdle))
	}
	switch {
	case source == "counts":
		out = append(out, "requests at the second the counts file gives (docs/plan.md's query: the logged second less time-taken)")
	case s.TimeTaken == 0:
		out = append(out, "no time-taken: each request at its logged second, the end of its response (CloudFront logs when a response ended)")
	case s.TimeTaken < all:
		out = append(out, fmt.Sprintf("arrivals: the logged second less time-taken for %s of the requests, the logged second for the others", share(s.TimeTaken)))
	}
	switch {
	case s.Busy == 0:
		out = append(out, "no time-to-first-byte or time-taken: a request holds its origin connection for no time, so several at once on one host never need several connections (no concurrency: viewers are colder than this plan says where requests overlap)")
	case s.Busy < all:
		out = append(out, fmt.Sprintf("origin connections busy for the time-to-first-byte (else time-taken) of %s of the requests; the others for their second's or the POP's mean", share(s.Busy)))
	default:
		out = append(out, "origin connections busy for each second's mean time-to-first-byte (else time-taken)")
	}
	if s.UserAgent == 0 {
		out = append(out, "no User-Agent: prewarm requests cannot be told from viewers' (a prewarmer running while the logs were written makes POPs look warmer and busier than they are)")
	}
	switch pool {
	case PoolReuse:
		out = append(out, "an edge host's origin connections (--origin-pool reuse): a request takes an idle one; when none is idle it opens one and takes whichever is ready first, its own (cold) or one another request frees (warm); idle ones close after the keep-alive")
	default:
		out = append(out, "an edge host's origin connections (--origin-pool open): a request takes an idle one, or opens one at once (cold) when none is idle; idle ones close after the keep-alive")
	}
	return out
}
