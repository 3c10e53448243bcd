package stacks

import (
	"context"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRepo is a minimal checkout of the root module whose
// cmd/prewarm-lambda is the given source.
func fakeRepo(t *testing.T, mainGo string) string {
	t.Helper()
	dir := tempDir(t, "repo")
	writeFile(t, dir, "go.mod", "module "+RootModule+"\n\ngo 1.26\n")
	writeFile(t, dir, "cmd/prewarm-lambda/main.go", mainGo)
	return dir
}

// checkLambdaBinary asserts that path is a static linux/arm64 executable.
func checkLambdaBinary(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("bootstrap is not an ELF executable: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("bootstrap is for %v, want arm64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap is dynamically linked (CGO_ENABLED=0 not applied)")
		}
	}
}

func TestFindRepoRoot(t *testing.T) {
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if modulePath(filepath.Join(root, "go.mod")) != RootModule {
		t.Errorf("%s is not the root module's checkout", root)
	}
	if _, err := os.Stat(filepath.Join(root, "infra", "cdk.json")); err != nil {
		t.Errorf("repo root %s has no infra/cdk.json: %v", root, err)
	}
	if _, err := FindRepoRoot(tempDir(t, "empty")); !errors.Is(err, ErrNoRepoRoot) {
		t.Errorf("outside any checkout: err %v, want ErrNoRepoRoot", err)
	}
}

// TestBuildLambdaFlags builds a stub cmd/prewarm-lambda: the output is a
// static linux/arm64 `bootstrap` built with the lambda.norpc tag.
func TestBuildLambdaFlags(t *testing.T) {
	repo := fakeRepo(t, "//go:build lambda.norpc\n\npackage main\n\nfunc main() {}\n")
	out := tempDir(t, "out")
	if err := BuildLambda(context.Background(), repo, out); err != nil {
		t.Fatal(err)
	}
	checkLambdaBinary(t, filepath.Join(out, "bootstrap"))
}

func TestBuildLambdaReportsCompilerErrors(t *testing.T) {
	repo := fakeRepo(t, "package main\n\nfunc main() { undefinedThing() }\n")
	err := BuildLambda(context.Background(), repo, tempDir(t, "out"))
	if err == nil || !strings.Contains(err.Error(), "undefined: undefinedThing") {
		t.Fatalf("error %v, want the compiler's message", err)
	}
}

// TestPrewarmCodeBuildsWhenNoCodePath: without CodePath the stack builds
// cmd/prewarm-lambda into infra/.cdk.staging of the given checkout; a
// CodePath without bootstrap is refused.
func TestPrewarmCodeBuildsWhenNoCodePath(t *testing.T) {
	repo := fakeRepo(t, "package main\n\nfunc main() {}\n")
	dir, err := LambdaPrewarmStackProps{RepoRoot: repo}.code()
	if err != nil {
		t.Fatal(err)
	}
	if dir != LambdaBuildDir(repo) {
		t.Errorf("asset dir %s, want %s", dir, LambdaBuildDir(repo))
	}
	checkLambdaBinary(t, filepath.Join(dir, "bootstrap"))
	if _, err := (LambdaPrewarmStackProps{CodePath: tempDir(t, "nobootstrap")}).code(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CodePath without bootstrap: err %v", err)
	}
}

// TestBuildRealLambda builds the project's own cmd/prewarm-lambda (in the
// root module) the way synth does.
func TestBuildRealLambda(t *testing.T) {
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "prewarm-lambda")); err != nil {
		t.Skipf("cmd/prewarm-lambda is not in this checkout yet (%v): nothing to build", err)
	}
	out := tempDir(t, "real")
	if err := BuildLambda(context.Background(), root, out); err != nil {
		t.Fatal(err)
	}
	checkLambdaBinary(t, filepath.Join(out, "bootstrap"))
}
