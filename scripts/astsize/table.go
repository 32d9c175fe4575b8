package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The architecture table: docs/architecture.md holds it between these markers, and
// TestArchitectureTableIsCurrent keeps it equal to what Table prints.
const (
	tableBegin = "<!-- astsize table: go run ./scripts/astsize -update -->\n"
	tableEnd   = "<!-- end of astsize table -->\n"
)

// goFile is one non-test Go file of the module, parsed.
type goFile struct {
	rel   string // slash-separated, relative to the module root
	lines int
	funcs []goFunc
}

type goFunc struct {
	name  string // Recv.Name or Name
	lines int
}

// moduleFiles parses every non-test Go file under root that belongs to root's module:
// testdata, hidden folders, node_modules and nested modules are skipped.
func moduleFiles(root string) ([]goFile, error) {
	fset := token.NewFileSet()
	var out []goFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			n := d.Name()
			if n == "testdata" || n == "node_modules" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		g := goFile{rel: filepath.ToSlash(rel), lines: fset.File(f.Pos()).LineCount()}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
				g.funcs = append(g.funcs, goFunc{name: funcName(fd), lines: fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1})
			}
		}
		out = append(out, g)
		return nil
	})
	return out, err
}

// funcName is Name, or Recv.Name for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// Table is the measured part of docs/architecture.md, as Markdown: lines per package, the
// longest functions in cmd/ and generator/, duplicates' pairs in non-test code (dups) and the
// packages in cmd/postmint's build (deps).
func Table(root string, dups, deps string) (string, error) {
	files, err := moduleFiles(root)
	if err != nil {
		return "", err
	}
	type pkg struct {
		files, lines int
		longest      string
		longestLines int
	}
	pkgs := map[string]*pkg{}
	type fn struct {
		where string
		lines int
	}
	var cmdFuncs, genFuncs []fn
	total := 0
	for _, f := range files {
		dir := pathDir(f.rel)
		p := pkgs[dir]
		if p == nil {
			p = &pkg{}
			pkgs[dir] = p
		}
		p.files++
		p.lines += f.lines
		total += f.lines
		for _, g := range f.funcs {
			if g.lines > p.longestLines || (g.lines == p.longestLines && f.rel+g.name < p.longest) {
				p.longest, p.longestLines = pathBase(f.rel)+" `"+g.name+"`", g.lines
			}
			x := fn{f.rel + " `" + g.name + "`", g.lines}
			switch {
			case strings.HasPrefix(f.rel, "cmd/"):
				cmdFuncs = append(cmdFuncs, x)
			case strings.HasPrefix(f.rel, "generator/"):
				genFuncs = append(genFuncs, x)
			}
		}
	}
	dirs := make([]string, 0, len(pkgs))
	for d := range pkgs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var b strings.Builder
	b.WriteString("| package | files | lines | longest function |\n| --- | ---: | ---: | --- |\n")
	for _, d := range dirs {
		p := pkgs[d]
		longest := "none"
		if p.longest != "" {
			longest = fmt.Sprintf("%s %d", p.longest, p.longestLines)
		}
		fmt.Fprintf(&b, "| `%s` | %d | %s | %s |\n", d, p.files, thousands(p.lines), longest)
	}
	fmt.Fprintf(&b, "| all | %d | %s | |\n\n", len(files), thousands(total))
	top := func(title string, fns []fn) {
		sort.Slice(fns, func(i, j int) bool {
			if fns[i].lines != fns[j].lines {
				return fns[i].lines > fns[j].lines
			}
			return fns[i].where < fns[j].where
		})
		parts := make([]string, 0, 5)
		for _, f := range fns[:min(5, len(fns))] {
			parts = append(parts, fmt.Sprintf("%s %d", f.where, f.lines))
		}
		fmt.Fprintf(&b, "Longest functions in `%s`: %s.\n\n", title, strings.Join(parts, ", "))
	}
	top("cmd/", cmdFuncs)
	top("generator/", genFuncs)
	fmt.Fprintf(&b, "`duplicates` pairs in non-test code (both sides outside `_test.go` and `testdata/`): %s.\n\n", dups)
	fmt.Fprintf(&b, "Packages in `cmd/postmint`'s build (`go list -deps`): %s.\n", deps)
	return b.String(), nil
}

func pathDir(rel string) string {
	if i := strings.LastIndex(rel, "/"); i >= 0 {
		return rel[:i]
	}
	return "."
}

func pathBase(rel string) string {
	return rel[strings.LastIndex(rel, "/")+1:]
}

// thousands writes n with a comma every three digits, as the docs do.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// dupRow is a row of duplicates' output: "D12 a.go:1-9 ~ b.go:3-11 ...".
var dupRow = regexp.MustCompile(`^D\d+ (\S+):\d+-\d+ ~ (\S+):\d+-\d+`)

// Duplicates counts duplicates' pairs (run in root) whose two sides are both non-test code.
func Duplicates(root string) (string, error) {
	cmd := exec.Command("duplicates", "--most", "200", "--seconds", "300")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("duplicates: %w", err)
	}
	if bytes.Contains(out, []byte("incomplete:")) {
		return "", fmt.Errorf("duplicates did not finish: %s", firstLine(out))
	}
	n, all := 0, 0
	for _, line := range strings.Split(string(out), "\n") {
		m := dupRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		all++
		if nonTest(m[1]) && nonTest(m[2]) {
			n++
		}
	}
	if all >= 200 {
		return "", fmt.Errorf("duplicates listed 200 rows or more: the count needs a larger --most")
	}
	return fmt.Sprintf("%d (of %d in all)", n, all), nil
}

func nonTest(path string) bool {
	return strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") && !strings.Contains("/"+path, "/testdata/")
}

// Deps counts the packages in cmd/postmint's build: all, and postmint's own.
func Deps(root string) (string, error) {
	cmd := exec.Command("go", "list", "-deps", "./cmd/postmint")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -deps: %w", err)
	}
	all, own := 0, 0
	for _, p := range strings.Fields(string(out)) {
		all++
		if strings.HasPrefix(p, "github.com/postmint/postmint") {
			own++
		}
	}
	return fmt.Sprintf("%d, %d of them postmint's", all, own), nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// replaceTable is doc with the text between the markers replaced by table.
func replaceTable(doc, table string) (string, error) {
	i := strings.Index(doc, tableBegin)
	j := strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("docs/architecture.md has no %q ... %q", strings.TrimSpace(tableBegin), strings.TrimSpace(tableEnd))
	}
	return doc[:i+len(tableBegin)] + "\n" + table + "\n" + doc[j:], nil
}
