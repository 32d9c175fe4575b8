package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) != "postmint" { // not testscript running the command
		defaultParallel()
		if flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
			// A whole run needs the binary: link it while the first tests run; the tests
			// that exec it wait. A narrow run (-run) builds it only if a test asks.
			go builtBinary()
		}
	}
	testscript.Main(cleanup{m}, map[string]func(){
		"postmint": func() { os.Exit(Run(os.Args, os.Stdout, os.Stderr)) },
	})
}

// defaultParallel runs up to 4 parallel tests at once (unless -parallel says otherwise) where
// go test would run GOMAXPROCS: the parallel tests here spend their time waiting for child
// processes (the OpenID provider, Newman, the Postman CLI, the postmint binary) and for the
// timers of the token-expiry runs, not on this process's CPU.
func defaultParallel() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < 4 {
		flag.Set("test.parallel", "4")
	}
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// builtBinary builds the postmint binary once per test process, for the tests that run it as a
// real process (killed mid-write, run concurrently, the CI recipe in a shell).
func builtBinary() (string, error) {
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "postmint-bin")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "postmint")
		if runtime.GOOS == "windows" {
			binPath += ".exe" // without it exec.Command finds nothing to run there
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return binPath, binErr
}

// cleanup removes the built binary after the tests.
type cleanup struct{ m *testing.M }

func (c cleanup) Run() int {
	code := c.m.Run()
	binOnce.Do(func() {}) // wait for a build still running
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	return code
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
