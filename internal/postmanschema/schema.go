// Package postmanschema compiles the official Postman Collection v2.1.0 schema
// (testdata/schema/collection-v2.1.0.json, a copy of shared/reference/postman-schema) for the
// tests that check generated collections against it. Only tests import it.
package postmanschema

import (
	"bytes"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ID is the schema's $id: collections name it in info.schema.
const ID = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

// Compile compiles the schema file at path (a test's relative path to testdata/schema).
func Compile(path string) (*jsonschema.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	return c.Compile(ID)
}

// Validate is nil when data is JSON that follows s, or what is wrong.
func Validate(s *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(inst)
}
