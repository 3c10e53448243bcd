// Package buildinfo tells what a binary knows of its own build: the module
// version and the version control state the Go toolchain stamps into every
// binary built inside a repository (runtime/debug.ReadBuildInfo), so that
// `cfprewarm version`, --help, the prewarmer's User-Agent and the lab's
// reports say where they came from without -ldflags.
package buildinfo

import (
	"runtime/debug"
	"strings"
	"time"
)

// Info is a binary's build.
type Info struct {
	// Version is the main module's version: a release tag such as v1.2.0,
	// a pseudo-version (v0.0.0-20261129101500-1a2b3c4d5e6f, +dirty when
	// built from a modified tree), or "dev" when the build has none (go run,
	// go test).
	Version   string
	Revision  string    // the VCS commit, when stamped
	Time      time.Time // the commit's time, when stamped
	Modified  bool      // the tree had changes not committed
	GoVersion string    // the toolchain, e.g. go1.26.8
}

// Read returns the running binary's build information. override, when not
// empty or "dev", is a version set with -ldflags and wins over the
// module's.
func Read(override string) Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: versionOr(override, "dev")}
	}
	return FromBuildInfo(bi, override)
}

// FromBuildInfo extracts the Info of bi (see Read).
func FromBuildInfo(bi *debug.BuildInfo, override string) Info {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	info := Info{Version: versionOr(override, v), GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time, _ = time.Parse(time.RFC3339, s.Value)
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

func versionOr(override, v string) string {
	if override != "" && override != "dev" {
		return override
	}
	return v
}

// String is the one-line form for `version` and --help:
// "v1.2.0 (commit 1a2b3c4d5e6f, 2026-11-29T10:15:00Z, modified; go1.26.8)".
func (i Info) String() string {
	var parts []string
	if i.Revision != "" {
		parts = append(parts, "commit "+shortRev(i.Revision))
	}
	if !i.Time.IsZero() {
		parts = append(parts, i.Time.UTC().Format(time.RFC3339))
	}
	if i.Modified {
		parts = append(parts, "modified")
	}
	detail := strings.Join(parts, ", ")
	if i.GoVersion != "" {
		if detail != "" {
			detail += "; "
		}
		detail += i.GoVersion
	}
	if detail == "" {
		return i.Version
	}
	return i.Version + " (" + detail + ")"
}

// Short is the version alone, or "dev+<commit>" for a development build
// with a stamped commit: the form for a User-Agent.
func (i Info) Short() string {
	if i.Version == "dev" && i.Revision != "" {
		v := "dev+" + shortRev(i.Revision)
		if i.Modified {
			v += ".dirty"
		}
		return v
	}
	return i.Version
}

func shortRev(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}
