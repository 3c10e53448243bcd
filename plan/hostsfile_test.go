package plan

import (
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/edgehosts"
)

// A hosts file that says 1 host (what a constant via id used to give), or
// an entry whose ids were suspect, is planned with but warned about.
func TestHostsFileWarnings(t *testing.T) {
	c := counts(traffic())
	for _, tc := range []struct {
		e    edgehosts.Estimate
		want string
	}{
		{edgehosts.Estimate{POP: "HKG62-C1", Hosts: 1}, "HKG62-C1: the hosts file says 1 edge host"},
		{edgehosts.Estimate{POP: "HKG62-C1", Hosts: 16, Method: edgehosts.MethodConfigured, Verdict: edgehosts.VerdictConstant}, "edge host ids are constant (suspect)"},
		{edgehosts.Estimate{POP: "HKG62-C1", Hosts: 4, Verdict: edgehosts.VerdictPerHost}, ""},
	} {
		p, err := planFrom(c, func(cfg *Config) { cfg.HostsByPOP = map[string]edgehosts.Estimate{"HKG62-C1": tc.e} })
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(p.Warnings, "\n")
		if tc.want == "" && strings.Contains(all, "hosts file") || tc.want != "" && !strings.Contains(all, tc.want) {
			t.Errorf("%+v: warnings %q, want %q", tc.e, p.Warnings, tc.want)
		}
	}
}
