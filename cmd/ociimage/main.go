// Command ociimage builds the project's container images without Docker
// and without a network (`make image`): package internal/ociimage behind
// two subcommands. See docs/deploying.md, "Building images without Docker".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/cfprewarm/cfprewarm/internal/ociimage"
)

const usage = `Usage: ociimage build [flags] [PROGRAM...]
       ociimage rootfs DIR

build    compiles each PROGRAM (default: all; %s)
         with go build for every platform and writes one OCI image layout
         per program, <out>/<program>, holding an image index with one
         image per platform.
rootfs   writes the images' base files (/etc/passwd, /etc/group, the CA
         certificates, /tmp) under DIR, which must not exist or be empty:
         the Dockerfile copies them into its final stage.

Flags of build:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: 0 on success, 2 for a usage error, 1
// when building or writing fails; one line on stderr either way.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("ociimage", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", filepath.Join("dist", "image"), "the directory of the layouts")
	platforms := fs.StringSlice("platform", []string{"linux/arm64", "linux/amd64"}, "the platforms, linux/arch[/variant], comma-separated")
	goCmd := fs.String("go", "go", "the go command")
	help := func() {
		fmt.Fprintf(stdout, usage, strings.Join(ociimage.Names(), ", "))
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			help()
			return 0
		}
		return usageErr(stderr, "%v", err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return usageErr(stderr, "no subcommand: build or rootfs")
	}
	switch rest[0] {
	case "build":
		return build(ctx, rest[1:], *out, *platforms, *goCmd, stdout, stderr)
	case "rootfs":
		if len(rest) != 2 {
			return usageErr(stderr, "rootfs takes one directory")
		}
		if err := ociimage.WriteDir(rest[1], ociimage.BaseFiles(time.Now())); err != nil {
			fmt.Fprintf(stderr, "ociimage: rootfs: %v\n", err)
			return 1
		}
		return 0
	case "help":
		help()
		return 0
	}
	return usageErr(stderr, "unknown subcommand %q: build or rootfs", rest[0])
}

func usageErr(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "ociimage: %s (see ociimage --help)\n", fmt.Sprintf(format, a...))
	return 2
}

func build(ctx context.Context, names []string, out string, platforms []string, goCmd string, stdout, stderr io.Writer) int {
	if len(names) == 0 {
		names = ociimage.Names()
	}
	var programs []ociimage.Program
	for _, n := range names {
		p, ok := ociimage.Lookup(n)
		if !ok {
			return usageErr(stderr, "unknown program %q: want %s", n, strings.Join(ociimage.Names(), ", "))
		}
		programs = append(programs, p)
	}
	opts := ociimage.Options{
		Go:       goCmd,
		Created:  time.Now(),
		Progress: func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) },
	}
	for _, s := range platforms {
		plat, err := v1.ParsePlatform(s)
		if err != nil || plat.OS != "linux" || plat.Architecture == "" {
			return usageErr(stderr, "--platform %q: want linux/arch, e.g. linux/arm64", s)
		}
		opts.Platforms = append(opts.Platforms, *plat)
	}
	for _, p := range programs {
		if err := buildOne(ctx, p, opts, filepath.Join(out, p.Name), stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "ociimage: %s: %v\n", p.Name, err)
			return 1
		}
	}
	return 0
}

// buildOne builds p's images, writes their layout to dir and prints one
// line per image and one for the layout.
func buildOne(ctx context.Context, p ociimage.Program, opts ociimage.Options, dir string, stdout, stderr io.Writer) error {
	res, err := ociimage.Build(ctx, p, opts)
	if err != nil {
		return err
	}
	for _, pi := range res.Images {
		if !pi.Stamp.Stamped() {
			fmt.Fprintf(stderr, "ociimage: warning: %s for %s has no commit stamped (no .git directory, or git missing or unable to read it; a git worktree's .git is a file): its labels carry version %s and no revision\n",
				p.Name, pi.Platform, pi.Stamp.Version)
		}
		digest, err := pi.Image.Digest()
		if err != nil {
			return err
		}
		compressed, unpacked, err := ociimage.Sizes(pi.Image)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s %s %s compressed, %s unpacked (%s)\n",
			p.Name, pi.Platform, digest, megabytes(compressed), megabytes(unpacked), pi.Stamp.Info)
	}
	if err := ociimage.WriteLayout(dir, res.Index); err != nil {
		return err
	}
	digest, err := res.Index.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s index %s in %s\n", p.Name, digest, dir)
	return nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
