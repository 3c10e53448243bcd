package ociimage

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PlatformImage is one platform's image of a program.
type PlatformImage struct {
	Platform v1.Platform
	Image    v1.Image
	Stamp    Stamp // what its binary says of its build
}

// Index is the OCI image index (manifest list) of images, each described
// with its platform, so that a runtime pulls the one for its machine.
func Index(images []PlatformImage) v1.ImageIndex {
	adds := make([]mutate.IndexAddendum, len(images))
	for i, pi := range images {
		plat := pi.Platform
		adds[i] = mutate.IndexAddendum{Add: pi.Image, Descriptor: v1.Descriptor{Platform: &plat}}
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
}

// WriteLayout writes idx as the OCI image layout dir: oci-layout,
// index.json naming idx (its one entry), and every blob under
// blobs/sha256. The layout is written whole or not at all: into a new
// directory beside dir, then renamed into place (an older layout at dir is
// replaced).
func WriteLayout(dir string, idx v1.ImageIndex) (err error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(idx); err != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir) // put the older layout back
		return err
	}
	return os.RemoveAll(old)
}

// ReadLayout opens the OCI image layout dir that WriteLayout wrote and
// returns its index.
func ReadLayout(dir string) (v1.ImageIndex, error) {
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, err
	}
	m, err := top.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 || m.Manifests[0].MediaType != types.OCIImageIndex {
		return nil, fmt.Errorf("%s: index.json holds %d entries, want one image index", dir, len(m.Manifests))
	}
	return top.ImageIndex(m.Manifests[0].Digest)
}
