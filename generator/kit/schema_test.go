package kit

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// collectionSchemaFile is the Postman Collection Format v2.1.0 JSON Schema, committed because
// it cannot be fetched during tests (see testdata/schema/README.md).
const collectionSchemaFile = "../../testdata/schema/collection-v2.1.0.json"

var (
	schemaOnce     sync.Once
	collectionSchm *jsonschema.Schema
	schemaErr      error
)

// collectionSchema compiles the committed schema once.
func collectionSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		f, err := os.Open(collectionSchemaFile)
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		const id = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
		if schemaErr = c.AddResource(id, doc); schemaErr != nil {
			return
		}
		collectionSchm, schemaErr = c.Compile(id)
	})
	if schemaErr != nil {
		t.Fatalf("compiling %s: %v", collectionSchemaFile, schemaErr)
	}
	return collectionSchm
}

// validateCollection checks a generated collection against the v2.1.0 schema.
func validateCollection(t *testing.T, name string, data []byte) {
	t.Helper()
	schema := collectionSchema(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", name, err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("%s does not follow the Postman Collection v2.1.0 schema: %v", name, err)
	}
}
