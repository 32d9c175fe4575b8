// Command astsize prints the largest non-test Go file and the longest function (in lines,
// from go/ast) under a folder, for docs/architecture.md's measurements. With a second
// argument it also lists every function whose "file:name" contains it.
//
//	cd scripts/astsize && go run . ../.. && go run . ../../generator Build
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	root := os.Args[1]
	fset := token.NewFileSet()
	var bigFile string
	bigLines := 0
	var bigFunc string
	funcLines := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return nil
		}
		n := fset.File(f.Pos()).LineCount()
		rel, _ := filepath.Rel(root, p)
		if n > bigLines {
			bigLines, bigFile = n, rel
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			l := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
			if len(os.Args) > 2 && strings.Contains(rel+":"+fd.Name.Name, os.Args[2]) {
				fmt.Printf("  %s:%s %d lines\n", rel, fd.Name.Name, l)
			}
			if l > funcLines {
				name := fd.Name.Name
				if fd.Recv != nil && len(fd.Recv.List) > 0 {
					t := fd.Recv.List[0].Type
					if s, ok := t.(*ast.StarExpr); ok {
						t = s.X
					}
					if id, ok := t.(*ast.Ident); ok {
						name = id.Name + "." + name
					}
				}
				funcLines, bigFunc = l, rel+":"+name
			}
		}
		return nil
	})
	fmt.Printf("largest file: %s %d lines\nlongest func: %s %d lines\n", bigFile, bigLines, bigFunc, funcLines)
}
