package stacks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The stacks talk to code in the root module only through names: the
// environment variables the Lambda and the app read, and the EMF metric
// names the alarms and dashboard use. infra/ is a separate module and does
// not import the root module (its tests must not depend on it compiling),
// so these tests read the other side's source and check the names match.

// rootSource parses the non-test Go files of a root-module package,
// skipping the test when the package is not in the checkout.
func rootSource(t *testing.T, pkg string) []*ast.File {
	t.Helper()
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, pkg)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("%s is not in this checkout: %v", pkg, err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
			if err != nil {
				t.Skipf("%s does not parse yet: %v", pkg, err)
			}
			files = append(files, f)
		}
	}
	return files
}

// stringLiterals returns every string literal in the files.
func stringLiterals(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

// stringConsts returns the package's string constants by name.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
			return true
		})
	}
	return out
}

func TestContractLambdaEnvironment(t *testing.T) {
	read := stringLiterals(rootSource(t, "cmd/prewarm-lambda"))
	env := LambdaPrewarmStackProps{DistributionDomain: testDistribution, POPs: []string{"HKG54-C1"}, Host: "api.example.com", Concurrency: 8}.withDefaults().environment()
	for name := range env {
		if !read[name] {
			t.Errorf("the stack sets %s but cmd/prewarm-lambda never reads it", name)
		}
	}
}

func TestContractAppEnvironment(t *testing.T) {
	read := stringLiterals(rootSource(t, "cmd/current-time-app"))
	names := []string{"ORIGIN_VERIFY_SECRET"} // an ECS secret, not in the environment map
	for name := range appEnvironment(CloudfrontDynamicAPIStackProps{}.withDefaults()) {
		names = append(names, name)
	}
	for _, name := range names {
		if !read[name] {
			t.Errorf("the task sets %s but cmd/current-time-app never reads it", name)
		}
	}
}

func TestContractEMFNames(t *testing.T) {
	warm := stringConsts(rootSource(t, "warm/format"))
	for theirs, ours := range map[string]string{
		"DefaultNamespace":      DefaultEMFNamespace,
		"MetricRequests":        MetricRequests,
		"MetricErrors":          MetricErrors,
		"MetricOriginColdRatio": MetricOriginColdRatio,
		"MetricLatencyP50":      MetricLatencyP50,
		"MetricLatencyP99":      MetricLatencyP99,
		"DimensionDistribution": DimensionDistribution,
		"DimensionPOP":          DimensionPOP,
	} {
		if got, ok := warm[theirs]; !ok || got != ours {
			t.Errorf("warm/format.%s = %q (found: %v), the alarms and dashboard use %q", theirs, got, ok, ours)
		}
	}
}
