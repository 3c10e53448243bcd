package ociimage

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	ourbuildinfo "github.com/cfprewarm/cfprewarm/internal/buildinfo"
)

// GoBuildFlags are the flags of every image's `go build`: paths of the
// build machine left out, VCS stamping on (-buildvcs=auto, whatever GOFLAGS
// says: the binary's `--version` and the image's labels name the commit),
// symbol table and DWARF stripped (stack traces keep their function names).
var GoBuildFlags = []string{"-trimpath", "-buildvcs=auto", "-ldflags=-s -w"}

// GoBuildEnv is the environment of an image's `go build` for plat: a static
// binary (no cgo) for the platform's baseline CPU.
func GoBuildEnv(plat v1.Platform) []string {
	return []string{"CGO_ENABLED=0", "GOOS=" + plat.OS, "GOARCH=" + plat.Architecture, "GOAMD64=v1", "GOARM64=v8.0"}
}

// GoBuild compiles the main package pkg for plat into the file out, running
// the go command goCmd in dir (inside the module; "" is the current
// directory). Where git cannot read the repository (another user's
// checkout, a broken .git), the binary is built unstamped, as outside a
// repository: its Stamp says so.
func GoBuild(ctx context.Context, goCmd, dir, pkg string, plat v1.Platform, out string) error {
	err := goBuild(ctx, goCmd, dir, pkg, plat, out, GoBuildFlags)
	if err != nil && strings.Contains(err.Error(), "error obtaining VCS status") {
		flags := slices.Clone(GoBuildFlags)
		flags[slices.Index(flags, "-buildvcs=auto")] = "-buildvcs=false"
		err = goBuild(ctx, goCmd, dir, pkg, plat, out, flags)
	}
	return err
}

func goBuild(ctx context.Context, goCmd, dir, pkg string, plat v1.Platform, out string, flags []string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, pkg)
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), GoBuildEnv(plat)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for %s: %w\n%s", pkg, plat, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Stamp is what a binary says of its own build.
type Stamp struct {
	ourbuildinfo.Info                   // version, commit, commit time, modified
	Settings          map[string]string // the build settings: GOOS, GOARCH, CGO_ENABLED, -trimpath, …
}

// Stamped tells whether the go command stamped the binary with its commit.
// It does not where it finds no repository, where git is missing or cannot
// read it, and in a git worktree (whose .git is a file: the go command
// looks for a directory).
func (s Stamp) Stamped() bool { return s.Revision != "" }

// ReadStamp reads the build information of the Go binary bin.
func ReadStamp(bin []byte) (Stamp, error) {
	bi, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		return Stamp{}, err
	}
	s := Stamp{Info: ourbuildinfo.FromBuildInfo(bi, ""), Settings: map[string]string{}}
	for _, kv := range bi.Settings {
		s.Settings[kv.Key] = kv.Value
	}
	return s, nil
}
