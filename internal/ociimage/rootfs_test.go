package ociimage

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The base files name the image's user, hold the CA bundle where Go looks
// first, give a world-writable sticky /tmp, and all belong to root.
func TestBaseFiles(t *testing.T) {
	files := map[string]File{}
	for _, f := range BaseFiles(day) {
		files[f.Name] = f
		if f.UID != 0 || f.GID != 0 || !f.ModTime.Equal(day) {
			t.Errorf("%s: owner %d:%d, time %v", f.Name, f.UID, f.GID, f.ModTime)
		}
		if f.Mode.Perm()&0o022 != 0 && f.Name != "tmp" {
			t.Errorf("%s: mode %v lets others write", f.Name, f.Mode)
		}
	}
	if !strings.Contains(string(files["etc/passwd"].Data), fmt.Sprintf("nonroot:x:%d:%d:", UID, GID)) {
		t.Errorf("/etc/passwd:\n%s", files["etc/passwd"].Data)
	}
	if !strings.Contains(string(files["etc/group"].Data), fmt.Sprintf("nonroot:x:%d:", GID)) {
		t.Errorf("/etc/group:\n%s", files["etc/group"].Data)
	}
	certs, _ := CACertificates()
	if !bytes.Equal(files["etc/ssl/certs/ca-certificates.crt"].Data, certs) {
		t.Error("the CA bundle is not at /etc/ssl/certs/ca-certificates.crt")
	}
	if m := files["tmp"].Mode; m != fs.ModeDir|fs.ModeSticky|0o777 {
		t.Errorf("/tmp mode %v", m)
	}
	if _, err := Layer(BaseFiles(day)); err != nil {
		t.Error(err)
	}
}

// WriteDir writes the files with their exact modes, whatever the umask,
// and refuses a directory that holds something.
func TestWriteDir(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "rootfs")
	if err := WriteDir(dir, BaseFiles(day)); err != nil {
		t.Fatal(err)
	}
	for _, f := range BaseFiles(day) {
		fi, err := os.Lstat(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != f.Mode {
			t.Errorf("%s: mode %v, want %v", f.Name, fi.Mode(), f.Mode)
		}
		if !f.Mode.IsDir() {
			if data, _ := os.ReadFile(filepath.Join(dir, f.Name)); !bytes.Equal(data, f.Data) {
				t.Errorf("%s: contents differ", f.Name)
			}
		}
	}
	if err := WriteDir(dir, BaseFiles(day)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second write: %v", err)
	}
}
