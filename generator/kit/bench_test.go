package kit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkOpenAPIKit builds kits that share the Okta management document (541 operations),
// the case postmint kit --clients spends its time on: one kit per iteration, the document
// read and rendered once before the timer starts. Writing the files is bench/kits.sh's part.
//
//	go test ./generator/kit -run '^$' -bench OpenAPIKit -benchmem -count 6
func BenchmarkOpenAPIKit(b *testing.B) {
	dir := b.TempDir()
	doc, _ := filepath.Abs(testdata + "/openapi/okta-management.yaml")
	var src strings.Builder
	fmt.Fprintf(&src, "version: 1\nbase:\n  preset: duende\n  issuer: https://idp.example.com\n  scope: api.read\n  openapi: %s\nclients:\n", doc)
	for i := range 64 {
		fmt.Fprintf(&src, "  - name: Partner %d\n    client_id: partner-%d\n    kid: partner-%d-key\n    alg: ES256\n", i, i, i)
	}
	path := filepath.Join(dir, "clients.yaml")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	jobs := Load(nil, []string{path}, Options{})
	bl := &Builder{}
	if _, err := bl.Build(jobs[0]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for i := 0; i < b.N; i++ {
		k, err := bl.Build(jobs[i%len(jobs)])
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range k.Files {
			bytes += int64(len(f.Data))
			for _, p := range f.Pieces {
				bytes += int64(len(p))
			}
		}
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/kit")
}
