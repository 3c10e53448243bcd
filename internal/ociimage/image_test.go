package ociimage

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/cfprewarm/cfprewarm/internal/buildinfo"
)

var (
	arm64   = v1.Platform{OS: "linux", Architecture: "arm64"}
	amd64   = v1.Platform{OS: "linux", Architecture: "amd64"}
	stamped = Stamp{Info: buildinfo.Info{Version: "v0.0.0-20261129101500-1a2b3c4d5e6f", Revision: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", Time: day}}
	app     = Program{Name: "app", Package: Module + "/cmd/app", Cmd: []string{"serve"}, Ports: []string{"8080/tcp"}}
)

// The image runs the binary as the non-root user, with the program's
// entrypoint, arguments and ports, labelled with the binary's version and
// commit, on the base files plus the binary (root's, mode 0755).
func TestImage(t *testing.T) {
	bin := []byte("\x7fELF pretend")
	img, err := Image(app, arm64, bin, stamped, day)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}
	m, _ := img.Manifest()
	if m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 2 {
		t.Errorf("config %s, %d layers", m.Config.MediaType, len(m.Layers))
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != "arm64" || !cf.Created.Equal(day) || len(cf.History) != 2 {
		t.Errorf("config file: %s/%s created %v, %d history entries", cf.OS, cf.Architecture, cf.Created, len(cf.History))
	}
	if c.User != "65532:65532" || !reflect.DeepEqual(c.Entrypoint, []string{"/app"}) || !reflect.DeepEqual(c.Cmd, []string{"serve"}) ||
		!reflect.DeepEqual(c.ExposedPorts, map[string]struct{}{"8080/tcp": {}}) {
		t.Errorf("config: %+v", c)
	}
	wantLabels := map[string]string{
		LabelTitle: "app", LabelSource: "https://github.com/cfprewarm/cfprewarm", LabelLicenses: "MIT",
		LabelVersion: stamped.Version, LabelRevision: stamped.Revision, LabelCreated: "2026-11-29T10:15:00Z",
	}
	if !reflect.DeepEqual(c.Labels, wantLabels) {
		t.Errorf("labels %v\nwant %v", c.Labels, wantLabels)
	}
	files, err := Files(img)
	if err != nil {
		t.Fatal(err)
	}
	b := files["app"]
	if b.Mode != 0o755 || b.UID != 0 || b.GID != 0 || !bytes.Equal(b.Data, bin) {
		t.Errorf("binary: mode %v owner %d:%d, %d bytes", b.Mode, b.UID, b.GID, len(b.Data))
	}
	if len(files) != len(BaseFiles(day))+1 {
		t.Errorf("%d files, want the base files and the binary", len(files))
	}
	compressed, unpacked, err := Sizes(img)
	if err != nil || compressed <= 0 || unpacked < int64(len(bin)) {
		t.Errorf("sizes %d, %d: %v", compressed, unpacked, err)
	}
}

// An unstamped binary: its image says "dev", has no revision label, and is
// dated by the fallback time.
func TestUnstampedLabels(t *testing.T) {
	s := Stamp{Info: buildinfo.Info{Version: "dev"}}
	now := time.Date(2026, 12, 1, 8, 0, 0, 300, time.UTC)
	created := Created(s, now)
	if !created.Equal(now.Truncate(time.Second)) {
		t.Errorf("created %v", created)
	}
	l := Labels(app, s, created)
	if _, ok := l[LabelRevision]; ok || l[LabelVersion] != "dev" || l[LabelCreated] != "2026-12-01T08:00:00Z" {
		t.Errorf("labels %v", l)
	}
	if got := Created(stamped, now); !got.Equal(day) {
		t.Errorf("a stamped build is dated %v, want its commit time", got)
	}
}

func TestProgramsSpec(t *testing.T) {
	for _, name := range []string{"current-time-app", "cfprewarm"} {
		p, ok := Lookup(name)
		if !ok || p.Package != Module+"/cmd/"+name || p.Path() != "/"+name {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup found a program that does not exist")
	}
	if !reflect.DeepEqual(Names(), []string{"current-time-app", "cfprewarm"}) {
		t.Errorf("names %v", Names())
	}
}
