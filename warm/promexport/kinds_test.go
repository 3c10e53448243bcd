package promexport

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// errorKinds lists every cloudfront.ErrorKind but KindNone: read the
// constants from package cloudfront's source, so that a new kind is not
// missed.
func TestErrorKindsComplete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../cloudfront/kinds.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "ErrorKind" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					if s, err := strconv.Unquote(lit.Value); err == nil && s != string(cloudfront.KindNone) {
						want = append(want, s)
					}
				}
			}
		}
	}
	var got []string
	for _, k := range errorKinds {
		got = append(got, string(k))
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) < 8 || !slices.Equal(got, want) {
		t.Errorf("errorKinds %v, cloudfront's kinds %v", got, want)
	}
}
