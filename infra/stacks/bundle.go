package stacks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RootModule is the module path of the cfprewarm tool, whose checkout
// holds cmd/prewarm-lambda and cmd/current-time-app.
const RootModule = "github.com/cfprewarm/cfprewarm"

// LambdaPackage is the prewarm Lambda's main package, relative to the
// repository root.
const LambdaPackage = "./cmd/prewarm-lambda"

// ErrNoRepoRoot is returned by FindRepoRoot when no parent directory holds
// the root module's go.mod.
var ErrNoRepoRoot = errors.New("repository root not found")

// FindRepoRoot walks up from dir to the directory whose go.mod declares
// RootModule (infra/ has its own go.mod, which is skipped).
func FindRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for {
		if modulePath(filepath.Join(dir, "go.mod")) == RootModule {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod declaring module %s above the working directory", ErrNoRepoRoot, RootModule)
		}
		dir = parent
	}
}

// modulePath returns the module path declared by a go.mod file, or "".
func modulePath(goMod string) string {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// LambdaBuildDir is where the app builds the Lambda asset: under
// infra/.cdk.staging (ignored by Git), rebuilt on every synth.
func LambdaBuildDir(repoRoot string) string {
	return filepath.Join(repoRoot, "infra", ".cdk.staging", "prewarm-lambda")
}

// BuildLambda compiles the prewarm Lambda for provided.al2023 on arm64 into
// outDir/bootstrap with the local Go toolchain (no Docker): GOOS=linux
// GOARCH=arm64 CGO_ENABLED=0, -tags lambda.norpc, -trimpath and
// -buildvcs=false so that the same source gives the same asset hash.
func BuildLambda(ctx context.Context, repoRoot, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("build prewarm lambda: %w", err)
	}
	out, err := filepath.Abs(filepath.Join(outDir, "bootstrap"))
	if err != nil {
		return fmt.Errorf("build prewarm lambda: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build",
		"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w",
		"-o", out, LambdaPackage)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build prewarm lambda (go build %s in %s): %w\n%s", LambdaPackage, repoRoot, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
