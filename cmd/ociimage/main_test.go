package main

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/cfprewarm/cfprewarm/internal/ociimage"
)

// TestMakeImageCurrentTimeApp builds what `make image` builds for
// current-time-app, both platforms, and checks the layout as a registry and
// a container runtime would read it, without Docker: one index in the
// layout; a manifest per platform; each image's configuration (non-root
// user, entrypoint, ports, labels matching the binary's own build
// information); its files (the base files, the binary at /current-time-app,
// root's, mode 0755, for the image's CPU); and the binary for this
// machine, taken out of its layer, answers --version with the version and
// commit the labels carry. (cfprewarm's images are made by the same code;
// cross-compiling it twice would cost minutes, so this test builds the
// small program only: see docs/deploying.md.)
func TestMakeImageCurrentTimeApp(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is needed to build the images")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"build", "--out", out, "current-time-app"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "current-time-app linux/arm64 sha256:") ||
		!strings.HasPrefix(lines[1], "current-time-app linux/amd64 sha256:") || !strings.HasSuffix(lines[2], " in "+filepath.Join(out, "current-time-app")) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	t.Logf("\n%s", stdout.String())

	dir := filepath.Join(out, "current-time-app")
	idx, err := ociimage.ReadLayout(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s", mt)
	}
	im, _ := idx.IndexManifest()
	var platforms []string
	for _, d := range im.Manifests {
		platforms = append(platforms, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkImage(t, *d.Platform, img)
	}
	if !reflect.DeepEqual(platforms, []string{"linux/arm64", "linux/amd64"}) {
		t.Errorf("platforms %v", platforms)
	}
}

func checkImage(t *testing.T, plat v1.Platform, img v1.Image) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	uid, _, _ := strings.Cut(c.User, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("%s: user %q, want a numeric non-root uid", plat, c.User)
	}
	if cf.OS != plat.OS || cf.Architecture != plat.Architecture {
		t.Errorf("%s: the configuration says %s/%s", plat, cf.OS, cf.Architecture)
	}
	if !reflect.DeepEqual(c.Entrypoint, []string{"/current-time-app"}) || len(c.Cmd) != 0 ||
		!reflect.DeepEqual(c.ExposedPorts, map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}}) {
		t.Errorf("%s: entrypoint %q, cmd %q, ports %v", plat, c.Entrypoint, c.Cmd, c.ExposedPorts)
	}

	files, err := ociimage.Files(img)
	if err != nil {
		t.Fatal(err)
	}
	bin := files["current-time-app"]
	if bin.Mode != 0o755 || bin.UID != 0 || bin.GID != 0 {
		t.Errorf("%s: /current-time-app mode %v owner %d:%d, want 0755 root's", plat, bin.Mode, bin.UID, bin.GID)
	}
	for _, f := range []string{"etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt", "tmp"} {
		if _, ok := files[f]; !ok {
			t.Errorf("%s: no /%s", plat, f)
		}
	}
	if !strings.Contains(string(files["etc/passwd"].Data), ":"+uid+":") {
		t.Errorf("%s: /etc/passwd does not name uid %s", plat, uid)
	}
	ef, err := elf.NewFile(bytes.NewReader(bin.Data))
	if err != nil {
		t.Fatalf("%s: %v", plat, err)
	}
	if want := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}[plat.Architecture]; ef.Machine != want {
		t.Errorf("%s: a binary for %v", plat, ef.Machine)
	}

	// The labels are what the binary says of its own build.
	stamp, err := ociimage.ReadStamp(bin.Data)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Labels
	if l[ociimage.LabelVersion] != stamp.Version || l[ociimage.LabelRevision] != stamp.Revision ||
		l[ociimage.LabelSource] != ociimage.Source || l[ociimage.LabelTitle] != "current-time-app" || l[ociimage.LabelCreated] == "" {
		t.Errorf("%s: labels %v, binary %+v", plat, l, stamp.Info)
	}
	if stamp.Settings["CGO_ENABLED"] != "0" || stamp.Settings["-trimpath"] != "true" || stamp.Settings["GOARCH"] != plat.Architecture {
		t.Errorf("%s: build settings %v", plat, stamp.Settings)
	}
	if stamp.Stamped() {
		// Where the go command stamps (a git clone), the commit is this tree's.
		if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil && strings.TrimSpace(string(head)) != stamp.Revision {
			t.Errorf("%s: revision %s, HEAD is %s", plat, stamp.Revision, head)
		}
	} else {
		t.Logf("%s: the binary carries no commit: this tree is not a git clone the go command stamps from", plat)
	}

	if plat.OS != runtime.GOOS || plat.Architecture != runtime.GOARCH {
		return
	}
	exe := filepath.Join(t.TempDir(), "current-time-app")
	if err := os.WriteFile(exe, bin.Data, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(exe, "--version").Output()
	want := fmt.Sprintf("current-time-app %s\n", stamp.Info)
	if err != nil || string(got) != want || !strings.Contains(string(got), l[ociimage.LabelVersion]) {
		t.Errorf("%s --version: %q (%v), want %q", plat, got, err, want)
	}
	if rev := l[ociimage.LabelRevision]; rev != "" && !strings.Contains(string(got), "commit "+rev[:12]) {
		t.Errorf("%s --version: %q does not name commit %s", plat, got, rev)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no subcommand"},
		{[]string{"push"}, `unknown subcommand "push"`},
		{[]string{"build", "nginx"}, `unknown program "nginx": want current-time-app, cfprewarm`},
		{[]string{"--platform", "linux", "build"}, `--platform "linux"`},
		{[]string{"--platform", "windows/amd64", "build"}, `--platform "windows/amd64": want linux/arch`},
		{[]string{"--outt", "x", "build"}, "unknown flag: --outt"},
		{[]string{"rootfs"}, "rootfs takes one directory"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, want one line with %q", tc.args, code, stderr.String(), tc.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "--platform") {
		t.Errorf("--help: exit %d\n%s", code, stdout.String())
	}
}

// rootfs writes the base files, and refuses a directory that holds some.
func TestRootfs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rootfs")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"rootfs", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, "etc/ssl/certs/ca-certificates.crt")); err != nil || fi.Size() < 100_000 {
		t.Errorf("CA bundle: %v", err)
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"rootfs", dir}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("second rootfs: exit %d, %q", code, stderr.String())
	}
}
