package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	stamped := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/cfprewarm/cfprewarm", Version: "v0.0.0-20261129101500-1a2b3c4d5e6f+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"},
			{Key: "vcs.time", Value: "2026-11-29T10:15:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	for _, tc := range []struct {
		bi              *debug.BuildInfo
		override        string
		str, short      string
		revision, stamp bool
	}{
		{stamped, "", "v0.0.0-20261129101500-1a2b3c4d5e6f+dirty (commit 1a2b3c4d5e6f, 2026-11-29T10:15:00Z, modified; go1.26.8)",
			"v0.0.0-20261129101500-1a2b3c4d5e6f+dirty", true, true},
		{stamped, "v1.2.0", "v1.2.0 (commit 1a2b3c4d5e6f, 2026-11-29T10:15:00Z, modified; go1.26.8)", "v1.2.0", true, true},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: stamped.Settings},
			"dev", "dev (commit 1a2b3c4d5e6f, 2026-11-29T10:15:00Z, modified; go1.26.8)", "dev+1a2b3c4d5e6f.dirty", true, true},
		{&debug.BuildInfo{GoVersion: "go1.26.8"}, "", "dev (go1.26.8)", "dev", false, false},
	} {
		i := FromBuildInfo(tc.bi, tc.override)
		if got := i.String(); got != tc.str {
			t.Errorf("String() = %q, want %q", got, tc.str)
		}
		if got := i.Short(); got != tc.short {
			t.Errorf("Short() = %q, want %q", got, tc.short)
		}
		if (i.Revision != "") != tc.revision || i.Time.IsZero() == tc.stamp {
			t.Errorf("%+v", i)
		}
	}
	if v := Read("").Version; v == "" {
		t.Error("Read: empty version")
	}
}
