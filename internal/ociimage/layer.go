package ociimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// File is one entry of a layer: a regular file or, with fs.ModeDir in
// Mode, a directory.
type File struct {
	Name     string      // the path in the image without the leading slash: "etc/passwd"
	Mode     fs.FileMode // permission bits, plus fs.ModeDir and fs.ModeSticky where they apply
	UID, GID int
	ModTime  time.Time
	Data     []byte // a regular file's contents
}

// Layer is files as a gzip-compressed OCI layer. The same files give the
// same bytes (entries sorted by name, times in whole seconds, no user or
// group names, no gzip timestamp), so the same build gives the same digest.
// Every file's directory must be in files too, or be the root.
func Layer(files []File) (v1.Layer, error) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	dirs := map[string]bool{".": true}
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for i, f := range files {
		if f.Name == "" || f.Name != path.Clean(f.Name) || path.IsAbs(f.Name) || strings.HasPrefix(f.Name, "../") {
			return nil, fmt.Errorf("layer: %q is not a clean relative path", f.Name)
		}
		if i > 0 && files[i-1].Name == f.Name {
			return nil, fmt.Errorf("layer: %s twice", f.Name)
		}
		if !dirs[path.Dir(f.Name)] {
			return nil, fmt.Errorf("layer: %s: its directory %s is not in the layer", f.Name, path.Dir(f.Name))
		}
		if err := tw.WriteHeader(header(f)); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", f.Name, err)
		}
		if f.Mode.IsDir() {
			dirs[f.Name] = true
			continue
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // a valid level: no error
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	compressed := gz.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(compressed)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// tarSticky is the sticky bit as tar stores it.
const tarSticky = 0o1000

func header(f File) *tar.Header {
	h := &tar.Header{
		Name:    f.Name,
		Mode:    int64(f.Mode.Perm()),
		Uid:     f.UID,
		Gid:     f.GID,
		ModTime: f.ModTime.Truncate(time.Second),
		Size:    int64(len(f.Data)),
	}
	if f.Mode&fs.ModeSticky != 0 {
		h.Mode |= tarSticky
	}
	h.Typeflag = tar.TypeReg
	if f.Mode.IsDir() {
		h.Typeflag, h.Name, h.Size = tar.TypeDir, f.Name+"/", 0
	}
	return h
}

// ReadLayer returns the files of a layer Layer made (regular files and
// directories; other entries are an error).
func ReadLayer(l v1.Layer) ([]File, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var files []File
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		f := File{Name: strings.TrimSuffix(h.Name, "/"), Mode: fs.FileMode(h.Mode).Perm(), UID: h.Uid, GID: h.Gid, ModTime: h.ModTime}
		if h.Mode&tarSticky != 0 {
			f.Mode |= fs.ModeSticky
		}
		switch h.Typeflag {
		case tar.TypeDir:
			f.Mode |= fs.ModeDir
		case tar.TypeReg:
			if f.Data, err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s: tar entry type %q", h.Name, h.Typeflag)
		}
		files = append(files, f)
	}
}
