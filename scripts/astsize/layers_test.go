package main

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestImportsRunOneWay: no postmint package imports its parent, and nothing below the
// commands imports a command.
func TestImportsRunOneWay(t *testing.T) {
	got, err := ImportViolations(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		t.Error(v)
	}
}

// TestImportViolationsFindsThem: the check sees a child importing its parent and a library
// package importing a command, and passes a sibling import and an outside module.
func TestImportViolationsFindsThem(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module example.com/x\n")
	write("generator/g.go", "package generator\n")
	write("generator/kit/k.go", "package kit\n\nimport (\n\t_ \"example.com/x/generator\"\n\t_ \"example.com/x/generator/sib\"\n\t_ \"example.com/y/generator\"\n)\n")
	write("generator/kit/k_test.go", "package kit\n\nimport _ \"example.com/x/generator\"\n")
	write("generator/sib/s.go", "package sib\n\nimport _ \"example.com/x/cmd/tool\"\n")
	write("cmd/tool/main.go", "package main\n\nimport _ \"example.com/x/generator/kit\"\n")
	got, err := ImportViolations(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"generator/kit/k.go imports generator, its own parent",
		"generator/sib/s.go imports cmd/tool, a command",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ImportViolations = %q, want %q", got, want)
	}
}
