package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"postmint": func() { os.Exit(Run(os.Args, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: each is a CLI session with its expected output
// and files, readable like the README. $KEYS and $DEFS point at the repo's fixtures.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(root, "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("KEYS", filepath.Join(root, "testdata", "keys"))
			env.Setenv("DEFS", filepath.Join(root, "testdata", "definitions"))
			env.Setenv("POSTMINT_PRIVATE_KEY", "")
			env.Setenv("POSTMINT_KEY_PASSWORD", "")
			return nil
		},
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// perm MODE FILE checks a file's permission bits, e.g. perm 0600 env.json.
			"perm": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: perm MODE FILE")
				}
				st, err := os.Stat(ts.MkAbs(args[1]))
				ts.Check(err)
				got := fmt.Sprintf("%04o", st.Mode().Perm())
				if (got == args[0]) == neg {
					ts.Fatalf("%s has mode %s (want %s%s)", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[0])
				}
			},
		},
	})
}
