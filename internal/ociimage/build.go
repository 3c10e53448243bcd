package ociimage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultPlatforms are the platforms images are built for: Graviton
// (Fargate's ARM64, as the CDK stack runs current-time-app) and x86-64.
var DefaultPlatforms = []v1.Platform{{OS: "linux", Architecture: "arm64"}, {OS: "linux", Architecture: "amd64"}}

// Options are Build's settings; the zero value builds for DefaultPlatforms
// with the go command on PATH in the current directory.
type Options struct {
	Go        string        // the go command; "go" when empty
	Dir       string        // where go build runs: inside the module
	Platforms []v1.Platform // DefaultPlatforms when empty
	// Created dates images whose binary has no commit time (an unstamped
	// build); the time Build starts when zero.
	Created time.Time
	// Progress, when set, hears of each step (`go build` takes a while).
	Progress func(format string, args ...any)
}

// Result is a program's images and their index.
type Result struct {
	Program Program
	Images  []PlatformImage // in the order of the platforms
	Index   v1.ImageIndex
}

// Build compiles p for each platform (GoBuild) and makes its images
// (Image) and their index (Index); WriteLayout writes the result.
func Build(ctx context.Context, p Program, opts Options) (Result, error) {
	if opts.Go == "" {
		opts.Go = "go"
	}
	if len(opts.Platforms) == 0 {
		opts.Platforms = DefaultPlatforms
	}
	if opts.Created.IsZero() {
		opts.Created = time.Now()
	}
	if opts.Progress == nil {
		opts.Progress = func(string, ...any) {}
	}
	tmp, err := os.MkdirTemp("", "ociimage-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	res := Result{Program: p}
	for i, plat := range opts.Platforms {
		opts.Progress("%s: go build for %s", p.Name, plat)
		out := filepath.Join(tmp, fmt.Sprintf("%s-%d", p.Name, i))
		if err := GoBuild(ctx, opts.Go, opts.Dir, p.Package, plat, out); err != nil {
			return Result{}, err
		}
		bin, err := os.ReadFile(out)
		if err != nil {
			return Result{}, err
		}
		stamp, err := ReadStamp(bin)
		if err != nil {
			return Result{}, fmt.Errorf("%s for %s: %w", p.Name, plat, err)
		}
		img, err := Image(p, plat, bin, stamp, Created(stamp, opts.Created))
		if err != nil {
			return Result{}, fmt.Errorf("%s for %s: %w", p.Name, plat, err)
		}
		res.Images = append(res.Images, PlatformImage{Platform: plat, Image: img, Stamp: stamp})
	}
	res.Index = Index(res.Images)
	return res, nil
}
