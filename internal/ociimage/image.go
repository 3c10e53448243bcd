package ociimage

import (
	"fmt"
	"io"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Labels are the image's labels: StaticLabels, the binary's version and
// commit (when stamped), and created.
func Labels(p Program, s Stamp, created time.Time) map[string]string {
	l := p.StaticLabels()
	l[LabelVersion] = s.Version
	if s.Revision != "" {
		l[LabelRevision] = s.Revision
	}
	l[LabelCreated] = created.UTC().Format(time.RFC3339)
	return l
}

// Created is when an image of a binary with stamp s was made: the commit's
// time when the binary is stamped (so that a commit always gives the same
// image), else fallback.
func Created(s Stamp, fallback time.Time) time.Time {
	if !s.Time.IsZero() {
		return s.Time.UTC()
	}
	return fallback.UTC().Truncate(time.Second)
}

// Image is p's image for plat: an empty OCI base, a layer of BaseFiles, a
// layer holding bin at p.Path() (mode 0755, root's), and a configuration
// that runs p.Entrypoint() as User with p's arguments and ports and Labels.
// created dates the image, its history and its files.
func Image(p Program, plat v1.Platform, bin []byte, s Stamp, created time.Time) (v1.Image, error) {
	base, err := Layer(BaseFiles(created))
	if err != nil {
		return nil, err
	}
	app, err := Layer([]File{{Name: strings.TrimPrefix(p.Path(), "/"), Mode: 0o755, ModTime: created, Data: bin}})
	if err != nil {
		return nil, err
	}
	at := v1.Time{Time: created}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{Created: at,
			CreatedBy: "ociimage: /etc/passwd, /etc/group, /" + CACertificatesPath + " (Mozilla NSS roots from golang.org/x/crypto/x509roots), /tmp"}},
		mutate.Addendum{Layer: app, History: v1.History{Created: at,
			CreatedBy: fmt.Sprintf("%s go build %s %s", strings.Join(GoBuildEnv(plat), " "), strings.Join(GoBuildFlags, " "), p.Package)}},
	)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = plat.OS, plat.Architecture, plat.Variant
	cf.Created = at
	cf.Config = v1.Config{
		User:       User,
		Entrypoint: p.Entrypoint(),
		Cmd:        p.Cmd,
		Labels:     Labels(p, s, created),
	}
	if len(p.Ports) > 0 {
		cf.Config.ExposedPorts = map[string]struct{}{}
		for _, port := range p.Ports {
			cf.Config.ExposedPorts[port] = struct{}{}
		}
	}
	return mutate.ConfigFile(img, cf)
}

// Sizes are an image's compressed size (what a pull downloads: its layers,
// configuration and manifest) and unpacked size (its layers' files as tar).
func Sizes(img v1.Image) (compressed, unpacked int64, err error) {
	m, err := img.RawManifest()
	if err != nil {
		return 0, 0, err
	}
	c, err := img.RawConfigFile()
	if err != nil {
		return 0, 0, err
	}
	compressed = int64(len(m) + len(c))
	layers, err := img.Layers()
	if err != nil {
		return 0, 0, err
	}
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			return 0, 0, err
		}
		compressed += n
		rc, err := l.Uncompressed()
		if err != nil {
			return 0, 0, err
		}
		u, err := countBytes(rc)
		if err != nil {
			return 0, 0, err
		}
		unpacked += u
	}
	return compressed, unpacked, nil
}

// Files are the files of img by path, read from its layers in order (a
// later layer's file replaces an earlier one's).
func Files(img v1.Image) (map[string]File, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	files := map[string]File{}
	for _, l := range layers {
		fs, err := ReadLayer(l)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			files[f.Name] = f
		}
	}
	return files, nil
}

func countBytes(rc io.ReadCloser) (int64, error) {
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}
