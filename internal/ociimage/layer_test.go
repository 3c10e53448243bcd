package ociimage

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

var day = time.Date(2026, 11, 29, 10, 15, 0, 0, time.UTC)

// A layer keeps each file's name, type, mode (the sticky bit too), owner,
// time and contents, lists them in name order whatever the input's order,
// and the same files give the same digest.
func TestLayerKeepsFilesAndIsReproducible(t *testing.T) {
	in := []File{
		{Name: "tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777, ModTime: day},
		{Name: "etc/passwd", Mode: 0o644, ModTime: day.Add(500 * time.Millisecond), Data: []byte("root:x:0:0::/:\n")},
		{Name: "app", Mode: 0o755, UID: 1, GID: 2, ModTime: day, Data: []byte("\x7fELF")},
		{Name: "etc", Mode: fs.ModeDir | 0o755, ModTime: day},
	}
	l, err := Layer(in)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := l.MediaType(); mt != types.OCILayer {
		t.Errorf("media type %s", mt)
	}
	got, err := ReadLayer(l)
	if err != nil {
		t.Fatal(err)
	}
	want := []File{in[2], in[3], in[1], in[0]}
	want[2].ModTime = day // whole seconds
	for i := range got {
		got[i].ModTime = got[i].ModTime.UTC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files\n got %+v\nwant %+v", got, want)
	}

	again, _ := Layer([]File{in[3], in[1], in[0], in[2]})
	d1, _ := l.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("same files, digests %s and %s", d1, d2)
	}
	later := append([]File(nil), in...)
	later[2].ModTime = day.Add(time.Second)
	other, _ := Layer(later)
	if d3, _ := other.Digest(); d3 == d1 {
		t.Errorf("another time, same digest %s", d3)
	}
}

func TestLayerRefusesBadTrees(t *testing.T) {
	for _, tc := range []struct {
		files []File
		want  string
	}{
		{[]File{{Name: "etc/passwd", Mode: 0o644}}, "its directory etc is not in the layer"},
		{[]File{{Name: "/etc", Mode: fs.ModeDir | 0o755}}, "not a clean relative path"},
		{[]File{{Name: "a/../b", Mode: 0o644}}, "not a clean relative path"},
		{[]File{{Name: "../b", Mode: 0o644}}, "not a clean relative path"},
		{[]File{{Name: "a", Mode: 0o644}, {Name: "a", Mode: 0o644}}, "a twice"},
		// a file is not a directory
		{[]File{{Name: "a", Mode: 0o644}, {Name: "a/b", Mode: 0o644}}, "its directory a is not in the layer"},
	} {
		if _, err := Layer(tc.files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.files, err, tc.want)
		}
	}
}
