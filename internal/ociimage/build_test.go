package ociimage

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// tinyMain prints what the go command stamped into it.
const tinyMain = `package main

import (
	"fmt"
	"runtime/debug"
)

func main() {
	bi, _ := debug.ReadBuildInfo()
	rev := ""
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			rev = s.Value
		}
	}
	fmt.Println(bi.Main.Version, rev)
}
`

// TestBuildStampsTheCommit builds a small program from a git repository of
// its own: the image holds a static binary for its platform (ELF machine,
// build settings), stamped with the repository's commit, which the labels
// carry and the binary prints; the image is dated by the commit, so that
// building again gives the same digests. (cmd/ociimage's test builds the
// real current-time-app for both platforms; this one needs a commit it
// knows, and builds for this machine's CPU only, so as not to compile the
// standard library for another CPU beside that test.)
func TestBuildStampsTheCommit(t *testing.T) {
	gitCmd, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is needed to make a repository to stamp from")
	}
	dir := tinyModule(t)
	git := func(args ...string) string {
		cmd := exec.Command(gitCmd, append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-11-29T10:15:00Z", "GIT_COMMITTER_DATE=2026-11-29T10:15:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "tiny")
	rev := git("rev-parse", "HEAD")

	tiny := Program{Name: "tiny", Package: "example.com/tiny"}
	opts := Options{Go: goCmd(), Dir: dir, Created: time.Now(), Platforms: []v1.Platform{{OS: "linux", Architecture: runtime.GOARCH}}}
	res, err := Build(context.Background(), tiny, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 1 {
		t.Fatalf("%d images", len(res.Images))
	}
	machines := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}
	for _, pi := range res.Images {
		arch := pi.Platform.Architecture
		cf, _ := pi.Image.ConfigFile()
		l := cf.Config.Labels
		if l[LabelRevision] != rev || l[LabelCreated] != "2026-11-29T10:15:00Z" || !strings.HasPrefix(l[LabelVersion], "v0.0.0-20261129101500-"+rev[:12]) {
			t.Errorf("%s: labels %v, want commit %s of 2026-11-29T10:15:00Z", arch, l, rev)
		}
		files, err := Files(pi.Image)
		if err != nil {
			t.Fatal(err)
		}
		bin := files["tiny"].Data
		f, err := elf.NewFile(bytes.NewReader(bin))
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		if want, known := machines[arch]; known && f.Machine != want {
			t.Errorf("%s image holds a binary for %v", arch, f.Machine)
		}
		if f.Section(".interp") != nil {
			t.Errorf("%s: the binary asks for a dynamic loader", arch)
		}
		s, _ := ReadStamp(bin)
		if s.Settings["GOARCH"] != arch || s.Settings["CGO_ENABLED"] != "0" || s.Settings["-trimpath"] != "true" {
			t.Errorf("%s: build settings %v", arch, s.Settings)
		}
		if arch != runtime.GOARCH || runtime.GOOS != "linux" {
			continue
		}
		exe := filepath.Join(t.TempDir(), "tiny")
		if err := os.WriteFile(exe, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(exe).Output()
		if err != nil || strings.TrimSpace(string(out)) != l[LabelVersion]+" "+rev {
			t.Errorf("the binary from the layer says %q (%v), want %q", out, err, l[LabelVersion]+" "+rev)
		}
	}

	opts.Created = opts.Created.Add(time.Hour) // not used: the commit dates the images
	again, err := Build(context.Background(), tiny, opts)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := res.Index.Digest()
	d2, _ := again.Index.Digest()
	if d1 != d2 {
		t.Errorf("the same commit built twice: index %s, then %s", d1, d2)
	}
}

// A repository git cannot read gives an unstamped image, not a failure.
func TestBuildUnreadableRepository(t *testing.T) {
	dir := tinyModule(t)
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil { // a .git git does not take for a repository
		t.Fatal(err)
	}
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	res, err := Build(context.Background(), Program{Name: "tiny", Package: "example.com/tiny"}, Options{Go: goCmd(), Dir: dir, Platforms: []v1.Platform{host}})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Images[0].Stamp; s.Stamped() || s.Version != "dev" {
		t.Errorf("stamp %+v, want an unstamped dev build", s.Info)
	}
}

func goCmd() string { return filepath.Join(runtime.GOROOT(), "bin", "go") }

// tinyModule writes the module of tinyMain into a new directory.
func tinyModule(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range map[string]string{"go.mod": "module example.com/tiny\n\ngo 1.26\n", "main.go": tinyMain} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
