package collections

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/postmint/postmint/generator/collection"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/internal/postmanschema"
)

var update = flag.Bool("update", false, "rewrite the example collections from testdata/definitions")

// TestExamplesAreCurrent regenerates every example in memory and compares it byte for byte.
func TestExamplesAreCurrent(t *testing.T) {
	defs, err := filepath.Glob("../testdata/definitions/*.yaml")
	if err != nil || len(defs) == 0 {
		t.Fatalf("no definitions found: %v", err)
	}
	want := map[string]bool{}
	for _, path := range defs {
		def, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		client, err := def.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		res, err := collection.Generate(client, profile.Material{}, collection.Options{NoKey: true})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, a := range res.Artifacts {
			want[a.Name] = true
			if *update {
				if err := os.WriteFile(a.Name, a.Data, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(a.Name)
			if err != nil {
				t.Errorf("%s: %v (run: go test ./collections -update)", a.Name, err)
				continue
			}
			if !bytes.Equal(got, a.Data) {
				t.Errorf("collections/%s differs from what %s generates now; run: go test ./collections -update", a.Name, path)
			}
		}
	}
	// No stale examples: every JSON file here comes from a definition.
	files, _ := filepath.Glob("*.json")
	sort.Strings(files)
	for _, f := range files {
		if !want[f] {
			if *update {
				os.Remove(f)
				continue
			}
			t.Errorf("collections/%s has no definition in testdata/definitions; run: go test ./collections -update", f)
		}
	}
}

// TestExamplesFollowTheSchema: every example collection follows the official Postman
// Collection v2.1.0 schema (testdata/schema, a copy of shared/reference/postman-schema).
func TestExamplesFollowTheSchema(t *testing.T) {
	schema, err := postmanschema.Compile("../testdata/schema/collection-v2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.postman_collection.json")
	if len(files) == 0 {
		t.Fatal("no example collections")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := postmanschema.Validate(schema, data); err != nil {
			t.Errorf("%s does not follow the Postman Collection v2.1.0 schema: %v", name, err)
		}
	}
}
