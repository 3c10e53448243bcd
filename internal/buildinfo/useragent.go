package buildinfo

// PrewarmUserAgent is the User-Agent the prewarm engine sends (cfprewarm
// warm, the prewarm Lambda): it names the tool, its version (Info.Short)
// and what the request is, so that an origin's logs and `cfprewarm plan`
// can tell prewarm requests from viewers'.
func PrewarmUserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "cfprewarm/" + version + " (prewarm; +https://github.com/cfprewarm/cfprewarm)"
}

// PrewarmUserAgentPattern matches PrewarmUserAgent of every version, as a
// glob over the whole User-Agent (* is any text): the pattern `cfprewarm
// plan` recognises its own prewarm requests by.
const PrewarmUserAgentPattern = "cfprewarm/* (prewarm;*"
