package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDockerBuildContextHasEveryPackage: the Dockerfile copies, and
// .dockerignore lets through, every package of this module that
// current-time-app is built from (go list -deps), so the image builds.
func TestDockerBuildContextHasEveryPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	const module = "github.com/cfprewarm/cfprewarm/"
	var dirs []string
	for _, p := range strings.Fields(string(out)) {
		if rel, ok := strings.CutPrefix(p, module); ok {
			dirs = append(dirs, rel+"/")
		}
	}
	copied := lines(t, "Dockerfile", func(l string) (string, bool) {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "COPY" && strings.HasSuffix(f[1], "/") {
			return f[1], true
		}
		return "", false
	})
	allowed := lines(t, filepath.Join("..", "..", ".dockerignore"), func(l string) (string, bool) {
		return strings.CutPrefix(strings.TrimSpace(l), "!")
	})
	for _, d := range dirs {
		if !underAny(d, copied) {
			t.Errorf("the Dockerfile does not COPY %s (current-time-app imports it)", d)
		}
		if !underAny(d, allowed) {
			t.Errorf(".dockerignore keeps %s out of the build context", d)
		}
	}
	if len(dirs) < 2 {
		t.Errorf("go list found only %v", dirs)
	}
}

func underAny(dir string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(dir, r) {
			return true
		}
	}
	return false
}

func lines(t *testing.T, name string, pick func(string) (string, bool)) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := pick(sc.Text()); ok {
			out = append(out, v)
		}
	}
	return out
}
