package kit

import (
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/postmint/postmint/internal/postmanschema"
)

// collectionSchemaFile is the Postman Collection Format v2.1.0 JSON Schema, committed because
// it cannot be fetched during tests (see testdata/schema/README.md).
const collectionSchemaFile = "../../testdata/schema/collection-v2.1.0.json"

// collectionSchema is the committed schema, compiled once.
var collectionSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return postmanschema.Compile(collectionSchemaFile)
})

// validateCollection checks a generated collection against the v2.1.0 schema.
func validateCollection(t *testing.T, name string, data []byte) {
	t.Helper()
	schema, err := collectionSchema()
	if err != nil {
		t.Fatalf("compiling %s: %v", collectionSchemaFile, err)
	}
	if err := postmanschema.Validate(schema, data); err != nil {
		t.Errorf("%s does not follow the Postman Collection v2.1.0 schema: %v", name, err)
	}
}
