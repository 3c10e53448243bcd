package layers

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/cfprewarm/cfprewarm/"

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// listPackages runs go list over the module.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", module+"...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Skipf("the go command is needed to list the packages: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImportsPointDown checks every import of the module's packages against
// Layers: production code imports only lower layers; tests may also import
// the loopback fakes and the package's own subpackages (warm's tests use
// warm/format); no package outside lab/ and cmd/ imports lab/...
func TestImportsPointDown(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		name := strings.TrimPrefix(p.ImportPath, module)
		layer, ok := Layers[name]
		if !ok {
			t.Errorf("package %s has no layer: add it to layers.Layers and docs/architecture.md", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			if l, known := Layers[dep]; known && l >= layer {
				t.Errorf("%s (layer %d) imports %s (layer %d): arrows must point down", name, layer, dep, l)
			}
		}
		for _, imp := range append(p.TestImports, p.XTestImports...) {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours || dep == name || strings.HasPrefix(dep, name+"/") || strings.HasPrefix(dep, "internal/loopback") {
				continue
			}
			if l, known := Layers[dep]; known && l > layer {
				t.Errorf("tests of %s (layer %d) import %s (layer %d): arrows must point down", name, layer, dep, l)
			}
		}
		inLab := name == "lab" || strings.HasPrefix(name, "lab/") || strings.HasPrefix(name, "cmd/")
		for _, imp := range append(append(p.Imports, p.TestImports...), p.XTestImports...) {
			if dep := strings.TrimPrefix(imp, module); !inLab && (dep == "lab" || strings.HasPrefix(dep, "lab/")) {
				t.Errorf("%s imports %s: only lab/ and cmd/ may import lab/...", name, dep)
			}
		}
	}
}
