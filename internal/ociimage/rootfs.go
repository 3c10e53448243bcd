package ociimage

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The user and group databases: root, and the user the images run as.
// Its home does not exist: nothing the programs do needs one.
var (
	passwd = fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/nonexistent:/sbin/nologin\n", UID, GID)
	group  = fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", GID)
)

// BaseFiles are the files every image holds besides its binary, owned by
// root and dated mtime: /etc/passwd and /etc/group (so that the uid has a
// name), the CA certificates for outbound TLS (CACertificates), and /tmp
// (mode 1777: the access-log reader spools Parquet from stdin or S3 there).
// The programs are static binaries: they need no libc, no shell and, as
// they print times in UTC, no time zone data.
func BaseFiles(mtime time.Time) []File {
	certs, _ := CACertificates()
	dir := func(name string, mode fs.FileMode) File {
		return File{Name: name, Mode: fs.ModeDir | mode, ModTime: mtime}
	}
	file := func(name string, data []byte) File {
		return File{Name: name, Mode: 0o644, ModTime: mtime, Data: data}
	}
	return []File{
		dir("etc", 0o755),
		file("etc/group", []byte(group)),
		file("etc/passwd", []byte(passwd)),
		dir("etc/ssl", 0o755),
		dir("etc/ssl/certs", 0o755),
		file(CACertificatesPath, certs),
		dir("tmp", fs.ModeSticky|0o777),
	}
}

// WriteDir writes files under dir, which must not exist or be empty, with
// their modes (the umask does not apply). A Dockerfile copies BaseFiles
// written this way into its final stage, so that an image built with
// Docker holds the same base files as one built by Build. Ownership is not
// written: Docker's COPY makes every file root's, as BaseFiles are.
func WriteDir(dir string, files []File) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range files {
		name := filepath.Join(dir, filepath.FromSlash(f.Name))
		var err error
		if f.Mode.IsDir() {
			err = os.Mkdir(name, 0o700)
		} else {
			err = os.WriteFile(name, f.Data, 0o600)
		}
		if err == nil {
			err = os.Chmod(name, f.Mode&(fs.ModePerm|fs.ModeSticky))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
