package postman

import (
	"errors"
	"log/slog"
	"net/http"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	pyaml "github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/index"
	"github.com/pb33f/libopenapi/orderedmap"
	"github.com/pb33f/libopenapi/utils"
)

// buildModel reads the document with libopenapi. $refs are resolved; circular ones are allowed
// (a body made from a schema cuts them). External $refs are followed only with a Location.
func buildModel(data []byte, specVersion string, opt OpenAPIOptions) (*v3.Document, error) {
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.DiscardHandler)
	// A $ref's siblings (example, ...) count in 3.1 only, and are not merged into the
	// referenced schema's own fields.
	cfg.TransformSiblingRefs = strings.HasPrefix(specVersion, "3.1")
	cfg.MergeReferencedProperties = false
	cfg.IgnorePolymorphicCircularReferences = true
	cfg.IgnoreArrayCircularReferences = true
	if loc := opt.Location; loc != nil {
		client := opt.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 30 * time.Second}
		}
		cfg.AllowFileReferences = true
		cfg.AllowRemoteReferences = true
		cfg.RemoteURLHandler = client.Get
		if loc.Scheme == "http" || loc.Scheme == "https" {
			dir := *loc
			dir.Path = path.Dir(loc.Path)
			dir.RawPath, dir.RawQuery, dir.Fragment = "", "", ""
			cfg.BaseURL = &dir
		} else {
			file := filepath.FromSlash(loc.Path)
			cfg.BasePath = filepath.Dir(file)
			cfg.SpecFilePath = file
		}
	}
	doc, err := libopenapi.NewDocumentWithConfiguration(data, cfg)
	if err != nil {
		return nil, err
	}
	model, err := doc.BuildV3Model()
	if model == nil {
		if err == nil {
			err = errors.New("the document could not be read")
		}
		return nil, err
	}
	for _, e := range utils.UnwrapErrors(err) {
		var re *index.ResolvingError
		if errors.As(e, &re) && re.CircularReference != nil {
			continue
		}
		return nil, e
	}
	return &model.Model, nil
}

// pathItem is the document's path item for p; nil when there is none.
func pathItem(doc *v3.Document, p string) *v3.PathItem {
	if doc.Paths == nil || doc.Paths.PathItems == nil {
		return nil
	}
	return doc.Paths.PathItems.GetOrZero(p)
}

// operation is the path item's operation for an upper-case method; nil when there is none.
func operation(item *v3.PathItem, method string) *v3.Operation {
	switch method {
	case http.MethodGet:
		return item.Get
	case http.MethodPut:
		return item.Put
	case http.MethodPost:
		return item.Post
	case http.MethodDelete:
		return item.Delete
	case http.MethodOptions:
		return item.Options
	case http.MethodHead:
		return item.Head
	case http.MethodPatch:
		return item.Patch
	case http.MethodTrace:
		return item.Trace
	}
	return nil
}

// omap copies an ordered map into a plain one (the callers sort its keys).
func omap[V any](m *orderedmap.Map[string, V]) map[string]V {
	out := make(map[string]V, orderedmap.Len(m))
	if m != nil {
		for k, v := range m.FromOldest() {
			out[k] = v
		}
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

// schemaOf is the schema a proxy stands for, its $ref resolved; nil when there is none.
func schemaOf(ref *base.SchemaProxy) *base.Schema {
	if ref == nil {
		return nil
	}
	return ref.Schema()
}

// schemaIdentity names a schema by the YAML node it is written in, so that every $ref to the
// same schema is the same schema (each proxy builds its own copy).
func schemaIdentity(ref *base.SchemaProxy, s *base.Schema) any {
	if low := ref.GoLow(); low != nil {
		if n := low.GetValueNode(); n != nil {
			return n
		}
	}
	return s
}

// itemsSchema is an array schema's items schema; nil for none (or items: true/false).
func itemsSchema(s *base.Schema) *base.SchemaProxy {
	if s.Items != nil && s.Items.IsA() {
		return s.Items.A
	}
	return nil
}

// isNull is true for no value and for an explicit null.
func isNull(n *pyaml.Node) bool {
	for n != nil && n.Kind == pyaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == pyaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	return n == nil || n.Kind == pyaml.ScalarNode && n.ShortTag() == "!!null"
}

// nodeValue is a YAML value as encoding/json decodes the same value written as JSON: numbers
// are float64, mappings map[string]any, timestamps the strings they are written as.
func nodeValue(n *pyaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case pyaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeValue(n.Content[0])
	case pyaml.AliasNode:
		return nodeValue(n.Alias)
	case pyaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, nodeValue(c))
		}
		return out
	case pyaml.MappingNode:
		out := map[string]any{}
		mergeInto(out, n)
		return out
	case pyaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b
			}
		case "!!int":
			var v any
			if n.Decode(&v) == nil {
				switch x := v.(type) {
				case int:
					return float64(x)
				case int64:
					return float64(x)
				case uint64:
					return float64(x)
				case float64:
					return x
				}
			}
		case "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f
			}
		}
		return n.Value
	}
	return nil
}

// mergeInto adds a mapping's entries to out; keys written in the mapping win over those
// merged in with <<.
func mergeInto(out map[string]any, n *pyaml.Node) {
	for n != nil && n.Kind == pyaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != pyaml.MappingNode {
		return
	}
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == pyaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		key := k.Value
		if k.Kind == pyaml.ScalarNode && k.ShortTag() == "!!float" {
			if f, err := strconv.ParseFloat(k.Value, 64); err == nil {
				key = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		out[key] = nodeValue(v)
		own[key] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != pyaml.ScalarNode || k.ShortTag() != "!!merge" {
			continue
		}
		for v != nil && v.Kind == pyaml.AliasNode {
			v = v.Alias
		}
		var sources []*pyaml.Node
		if v != nil && v.Kind == pyaml.SequenceNode {
			sources = v.Content
		} else {
			sources = []*pyaml.Node{v}
		}
		for _, src := range sources {
			tmp := map[string]any{}
			mergeInto(tmp, src)
			for key, x := range tmp {
				if !own[key] {
					out[key] = x
					own[key] = true
				}
			}
		}
	}
}
