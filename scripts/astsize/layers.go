package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ImportViolations lists the imports of non-test Go files under root (root's module, as
// moduleFiles walks it) that break postmint's layering, one line each:
//
//   - a package imports one of its parent folders' packages (children never import a parent:
//     what both need lives below both);
//   - a package outside cmd/, bench/ and scripts/ imports one inside them (the library never
//     depends on a command).
func ImportViolations(root string) ([]string, error) {
	mod, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	files, err := moduleFiles(root)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var out []string
	for _, f := range files {
		src, err := parser.ParseFile(fset, filepath.Join(root, filepath.FromSlash(f.rel)), nil, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		dir := path.Dir(f.rel)
		for _, spec := range src.Imports {
			imp, _ := strconv.Unquote(spec.Path.Value)
			rel, ok := strings.CutPrefix(imp, mod+"/")
			if !ok {
				continue
			}
			switch {
			case strings.HasPrefix(dir+"/", rel+"/"):
				out = append(out, fmt.Sprintf("%s imports %s, its own parent", f.rel, rel))
			case !isCommand(dir) && isCommand(rel):
				out = append(out, fmt.Sprintf("%s imports %s, a command", f.rel, rel))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func isCommand(dir string) bool {
	top, _, _ := strings.Cut(dir, "/")
	return top == "cmd" || top == "bench" || top == "scripts"
}

// modulePath is the module line of root's go.mod.
func modulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
}
