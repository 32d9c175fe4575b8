// Command astsize measures postmint's Go code with go/ast for docs/architecture.md.
//
//	go run ./scripts/astsize -table     the measured table (lines per package, longest
//	                                    functions, duplicates pairs, go list -deps)
//	go run ./scripts/astsize -update    writes that table into docs/architecture.md
//	go run ./scripts/astsize DIR [SUB]  the largest non-test file and longest function under
//	                                    DIR; with SUB, every function whose "file:name" has it
//
// Run it from the module root. TestArchitectureTableIsCurrent fails when the table in the
// docs is not what -table prints.
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
	if len(os.Args) == 2 && (os.Args[1] == "-table" || os.Args[1] == "-update") {
		if err := table(os.Args[1] == "-update"); err != nil {
			fmt.Fprintln(os.Stderr, "astsize:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: astsize -table | -update | DIR [SUB]")
		os.Exit(2)
	}
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

// table prints the architecture table of the module in the current folder, or with update
// writes it into docs/architecture.md.
func table(update bool) error {
	t, err := measure(".")
	if err != nil {
		return err
	}
	if !update {
		fmt.Print(t)
		return nil
	}
	const doc = "docs/architecture.md"
	old, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	out, err := replaceTable(string(old), t)
	if err != nil {
		return err
	}
	return os.WriteFile(doc, []byte(out), 0o644)
}

// measure is Table with duplicates' and go list's counts for the module at root.
func measure(root string) (string, error) {
	dups, err := Duplicates(root)
	if err != nil {
		return "", err
	}
	deps, err := Deps(root)
	if err != nil {
		return "", err
	}
	return Table(root, dups, deps)
}
