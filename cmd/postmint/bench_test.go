package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCommand is the in-process cost of one command for an RS256-2048 client: reading the
// definition or environment, loading the key, minting, and for refresh the atomic write. The
// whole-process figures (start-up included) come from bench/mint-process.sh.
func BenchmarkCommand(b *testing.B) {
	keyPath, _, _ := fixtureKey(b, "rsa2048.pkcs8.pem")
	def, err := filepath.Abs(repoFile("testdata", "definitions", "duende.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if code := Run([]string{"postmint", "generate", "-c", def, "-k", keyPath, "-o", dir}, io.Discard, io.Discard); code != 0 {
		b.Fatalf("generate: exit %d", code)
	}
	env := filepath.Join(dir, "duende-demo-api.postman_environment.json")
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"mint-c", []string{"mint", "-c", def, "-k", keyPath}},
		{"mint-e", []string{"mint", "-e", env}},
		{"refresh-assertion-only", []string{"refresh", "-e", env, "--assertion-only"}},
		{"generate", []string{"generate", "-c", def, "-k", keyPath, "-o", filepath.Join(dir, "gen")}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args := append([]string{"postmint"}, bc.args...)
			b.ReportAllocs()
			for b.Loop() {
				if code := Run(args, io.Discard, io.Discard); code != 0 {
					b.Fatalf("%v: exit %d", bc.args, code)
				}
			}
		})
	}
	_ = os.RemoveAll(dir)
}
