package ociimage

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The layout holds one index, whose manifests are the images with their
// platforms; writing again replaces it and leaves nothing beside it.
func TestLayoutRoundTrip(t *testing.T) {
	var images []PlatformImage
	for _, plat := range []v1.Platform{arm64, amd64} {
		img, err := Image(app, plat, []byte("binary for "+plat.Architecture), stamped, day)
		if err != nil {
			t.Fatal(err)
		}
		images = append(images, PlatformImage{Platform: plat, Image: img, Stamp: stamped})
	}
	dir := filepath.Join(t.TempDir(), "out", "app")
	for range 2 {
		if err := WriteLayout(dir, Index(images)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("beside the layout: %v", entries)
	}
	idx, err := ReadLayout(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s", mt)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 2 {
		t.Fatalf("%d manifests", len(im.Manifests))
	}
	for i, d := range im.Manifests {
		want, _ := images[i].Image.Digest()
		if d.Platform == nil || !reflect.DeepEqual(*d.Platform, images[i].Platform) || d.Digest != want || d.MediaType != types.OCIManifestSchema1 {
			t.Errorf("manifest %d: %+v, want %s for %s", i, d, want, images[i].Platform)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		files, err := Files(img)
		if err != nil || string(files["app"].Data) != "binary for "+images[i].Platform.Architecture {
			t.Errorf("%s: the binary read back: %v", d.Platform, err)
		}
	}
}

// A layout that cannot be written leaves the older one in place and no
// temporary directory.
func TestWriteLayoutFailureKeepsOlder(t *testing.T) {
	img, _ := Image(app, arm64, []byte("one"), stamped, day)
	dir := filepath.Join(t.TempDir(), "app")
	if err := WriteLayout(dir, Index([]PlatformImage{{Platform: arm64, Image: img}})); err != nil {
		t.Fatal(err)
	}
	broken := Index([]PlatformImage{{Platform: arm64, Image: brokenImage{img}}})
	if err := WriteLayout(dir, broken); err == nil {
		t.Fatal("a broken image was written")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("beside the layout: %v", entries)
	}
	if _, err := ReadLayout(dir); err != nil {
		t.Errorf("the older layout: %v", err)
	}
	if _, err := ReadLayout(filepath.Dir(dir)); err == nil {
		t.Error("ReadLayout read a directory that is no layout")
	}
}

// brokenImage fails to give its layers.
type brokenImage struct{ v1.Image }

func (brokenImage) Layers() ([]v1.Layer, error) { return nil, os.ErrClosed }
