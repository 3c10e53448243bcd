package stacks

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestFeatureFlagsPinned: cdk.json sets every feature flag of the
// aws-cdk-lib in go.mod to the value that release recommends, as read from
// the feature-flag report the synthesized assembly carries (what `cdk
// flags` shows). A new aws-cdk-go brings new flags: this fails until they
// are pinned and the synth diff reviewed (docs/deploying.md, "Feature
// flags").
func TestFeatureFlagsPinned(t *testing.T) {
	f := shared(t)
	var manifest struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				Module string `json:"module"`
				Flags  map[string]struct {
					RecommendedValue any `json:"recommendedValue"`
					UserValue        any `json:"userValue"`
				} `json:"flags"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	f.readJSON(t, "manifest.json", &manifest)
	reported := map[string]bool{}
	var unpinned []string
	for _, a := range manifest.Artifacts {
		if a.Type != "cdk:feature-flag-report" {
			continue
		}
		for name, flag := range a.Properties.Flags {
			reported[name] = true
			got, _ := json.Marshal(flag.UserValue)
			want, _ := json.Marshal(flag.RecommendedValue)
			if flag.UserValue == nil || string(got) != string(want) {
				unpinned = append(unpinned, name+": cdk.json has "+string(got)+", "+a.Properties.Module+" recommends "+string(want))
			}
		}
	}
	if len(reported) == 0 {
		t.Fatal("the assembly has no feature-flag report")
	}
	for name := range pinnedFeatureFlags(t) {
		if !reported[name] {
			unpinned = append(unpinned, name+": pinned in cdk.json, unknown to the library (remove it)")
		}
	}
	slices.Sort(unpinned)
	for _, u := range unpinned {
		t.Error(u)
	}
}
