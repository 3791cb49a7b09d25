package register

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readingOrder is the order of the package's files, as a load calls them
// (see the package comment).
var readingOrder = []string{
	"registers.go", "annotate.go", "scoped.go",
	"dataset.go", "stream.go", "agreements.go", "parties.go", "bodies.go", "realisations.go",
	"references.go", "checks.go", "tables.go", "workbook.go", "values.go",
}

// TestFilesReadForward checks that no function or method of the package
// calls into a file read before its own: following a register from the
// load to the insert never goes back to a file already left.
func TestFilesReadForward(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		if !slices.Contains(readingOrder, name) {
			t.Errorf("%s is not in readingOrder (and the package comment)", name)
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// The imports' export data, as the go command built them.
	out, err := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Export", ".").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for dec := json.NewDecoder(strings.NewReader(string(out))); ; {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
	}
	imports := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	pkg, err := (&types.Config{Importer: imports}).Check("register", fset, files, info)
	if err != nil {
		t.Fatal(err)
	}
	for id, obj := range info.Uses {
		fn, ok := obj.(*types.Func)
		if !ok || fn.Pkg() != pkg {
			continue
		}
		from, to := fset.Position(id.Pos()).Filename, fset.Position(fn.Pos()).Filename
		if slices.Index(readingOrder, to) < slices.Index(readingOrder, from) {
			t.Errorf("%s calls %s of %s, a file read before it", fset.Position(id.Pos()), fn.Name(), to)
		}
	}
}
