package openapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds on what the $refs of one document may load.
const (
	maxDocuments = 100      // documents besides the root
	maxRefBytes  = 64 << 20 // bytes of all of them together
	maxRefChain  = 64       // $ref to $ref to ... hops before a chain counts as a cycle
)

// source is one document: the root, or a file or URL a $ref named.
type source struct {
	name   string     // as errors show it
	file   string     // absolute path of a document read from a file
	url    *url.URL   // URL of a document read over http(s)
	origin string     // scheme://host:port its $refs must stay on (URL documents)
	root   *yaml.Node // the document's top node
}

// at is a node and the document it is written in ($refs in it resolve against that document).
type at struct {
	n   *yaml.Node
	src *source
}

// resolver finds what $refs point at. It reads other documents only where the root's origin
// allows (see Options) and each only once.
type resolver struct {
	opt    Options
	root   *source
	dir    string // the root's folder (symlinks resolved): files must be under it
	docs   map[string]*source
	queue  []*source // loaded documents whose $refs are still to be checked
	bytes  int64
	client *http.Client
}

func newResolver(root *source, opt Options) *resolver {
	r := &resolver{opt: opt, root: root, docs: map[string]*source{}}
	r.client = opt.HTTPClient
	if r.client == nil {
		r.client = defaultClient()
	}
	if root.file != "" {
		dir := filepath.Dir(root.file)
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
		r.dir = dir
		r.docs[root.file] = root
	}
	if root.url != nil {
		r.docs[withoutFragment(root.url)] = root
	}
	return r
}

// check resolves every $ref of the root and of every document they load, so that a document
// with a $ref that points at nothing, leaves the origin or loops is refused before anything is
// made from it, wherever the $ref is.
func (r *resolver) check() *Error {
	r.queue = append(r.queue, r.root)
	for len(r.queue) > 0 {
		src := r.queue[0]
		r.queue = r.queue[1:]
		if err := r.checkRefs(src, src.root, false); err != nil {
			return err
		}
	}
	return nil
}

func (r *resolver) checkRefs(src *source, n *yaml.Node, names bool) *Error {
	if n == nil || n.Kind == yaml.AliasNode {
		return nil // an alias's target is checked where it is written
	}
	if n.Kind != yaml.MappingNode {
		for _, c := range n.Content {
			if err := r.checkRefs(src, c, false); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !names && literalKeys[k.Value] {
			continue // examples and defaults are data: a "$ref" in them is just text
		}
		if !names && k.Value == "examples" && unalias(v) != nil && unalias(v).Kind == yaml.SequenceNode {
			continue // a schema's examples (3.1), data too
		}
		if k.Value == "$ref" && !names && v.Kind == yaml.ScalarNode {
			if err := r.checkChain(src, n); err != nil {
				return err
			}
			continue
		}
		if err := r.checkRefs(src, v, !names && nameKeys[k.Value]); err != nil {
			return err
		}
	}
	return nil
}

// literalKeys hold data, not OpenAPI objects.
var literalKeys = map[string]bool{"example": true, "value": true, "default": true, "const": true, "enum": true}

// nameKeys hold maps whose keys are names (a property called "example" is not an example).
var nameKeys = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true,
	"schemas": true, "examples": true, "parameters": true, "responses": true, "requestBodies": true, "headers": true,
	"securitySchemes": true, "links": true, "callbacks": true, "pathItems": true, "content": true, "encoding": true,
	"variables": true, "mapping": true, "paths": true, "webhooks": true,
}

// checkChain follows the $ref of the mapping n to a node that is not a $ref.
func (r *resolver) checkChain(src *source, n *yaml.Node) *Error {
	_, err := r.follow(at{n, src})
	return err
}

// follow resolves $refs from a until a node that is not one.
func (r *resolver) follow(a at) (at, *Error) {
	first := a
	for hops := 0; ; hops++ {
		ref, node := refOf(a.n)
		if node == nil {
			return a, nil
		}
		if hops == maxRefChain {
			_, v := refOf(first.n)
			return at{}, refError(first.src, v, ErrInvalid, "$ref %q starts a chain of more than %d $refs (a cycle?)", v.Value, maxRefChain)
		}
		next, err := r.lookup(a.src, node, ref)
		if err != nil {
			return at{}, err
		}
		a = next
	}
}

// refOf is a node's $ref and the node holding its value; "", nil when it has none.
func refOf(n *yaml.Node) (string, *yaml.Node) {
	_, v := mapEntry(n, "$ref")
	if v == nil || v.Kind != yaml.ScalarNode {
		return "", nil
	}
	return v.Value, v
}

// deref follows $refs until a node that is not one. check has resolved every $ref already, so
// a failure here is a bug or a document changed under us: it aborts the walk.
func (r *resolver) deref(a at) at {
	t, err := r.follow(a)
	if err != nil {
		abort(err)
	}
	return t
}

func refError(src *source, n *yaml.Node, kind error, format string, args ...any) *Error {
	return &Error{Source: src.name, Line: n.Line, Column: n.Column, Err: kind, Msg: fmt.Sprintf(format, args...)}
}

// lookup finds the node a $ref written at node in src points at.
func (r *resolver) lookup(src *source, node *yaml.Node, ref string) (at, *Error) {
	docPart, fragment, _ := strings.Cut(ref, "#")
	target := src
	if docPart != "" {
		var err *Error
		if target, err = r.document(src, node, ref, docPart); err != nil {
			return at{}, err
		}
	}
	if fragment != "" && !strings.HasPrefix(fragment, "/") {
		return at{}, refError(src, node, ErrInvalid, "$ref %q: postmint resolves JSON pointers (#/...) only, not anchors", ref)
	}
	n := resolvePointer(target.root, fragment)
	if n == nil {
		where := "the document"
		if target != src {
			where = target.name
		}
		return at{}, refError(src, node, ErrInvalid, "$ref %q points at nothing in %s", ref, where)
	}
	return at{n, target}, nil
}

// document loads the document a $ref names (docPart: the $ref before its #), if the origin
// rules allow it.
func (r *resolver) document(src *source, node *yaml.Node, ref, docPart string) (*source, *Error) {
	u, err := url.Parse(docPart)
	if err != nil {
		return nil, refError(src, node, ErrInvalid, "$ref %q is not a URL or path: %v", ref, err)
	}
	switch {
	case src.url != nil:
		abs := src.url.ResolveReference(u)
		if (abs.Scheme != "http" && abs.Scheme != "https") || originOf(abs) != src.origin {
			return nil, refError(src, node, ErrRefOrigin, "$ref %q leaves %s: a document read from a URL resolves $refs only on its own origin", ref, src.origin)
		}
		return r.fetch(src, node, ref, abs, src.origin)
	case u.Scheme == "http" || u.Scheme == "https":
		if src.file == "" || !r.opt.AllowURLRefs {
			return nil, refError(src, node, ErrRefOrigin, "$ref %q is a URL: a document read from a file resolves $refs only to files in its own folder (--openapi-url-refs allows URLs)", ref)
		}
		return r.fetch(src, node, ref, u, originOf(u))
	case src.file == "":
		return nil, refError(src, node, ErrRefOrigin, "$ref %q names another document, but where this one came from is unknown: only local $refs (#/...) can be resolved", ref)
	case u.Scheme != "" && u.Scheme != "file":
		return nil, refError(src, node, ErrRefOrigin, "$ref %q: a document read from a file resolves $refs only to files in its own folder", ref)
	}
	p := u.Path
	if u.Scheme == "" {
		p = docPart // a relative path: not URL-decoded
		if unescaped, err := url.PathUnescape(p); err == nil {
			p = unescaped
		}
	}
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(src.file), p)
	}
	p = filepath.Clean(p)
	if s, ok := r.docs[p]; ok {
		return s, nil
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, refError(src, node, ErrInvalid, "$ref %q: %v", ref, unwrapPathError(err))
	}
	if rel, err := filepath.Rel(r.dir, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, refError(src, node, ErrRefOrigin, "$ref %q leaves the folder %s: a document read from a file resolves $refs only to files in its own folder", ref, r.dir)
	}
	name := p
	if rel, err := filepath.Rel(filepath.Dir(r.root.file), p); err == nil {
		name = filepath.Join(filepath.Dir(r.root.name), rel)
	}
	// A named pipe would block the open itself: only regular files are read.
	if fi, err := os.Stat(real); err == nil && !fi.Mode().IsRegular() {
		return nil, refError(src, node, ErrInvalid, "$ref %q: not a regular file", ref)
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, refError(src, node, ErrInvalid, "$ref %q: %v", ref, unwrapPathError(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, refError(src, node, ErrInvalid, "$ref %q: not a regular file", ref)
	}
	s, lerr := r.load(src, node, ref, f, &source{name: name, file: p})
	if lerr != nil {
		return nil, lerr
	}
	r.docs[p] = s
	return s, nil
}

// fetch loads a document over http(s); redirects must stay on origin.
func (r *resolver) fetch(src *source, node *yaml.Node, ref string, u *url.URL, origin string) (*source, *Error) {
	key := withoutFragment(u)
	if s, ok := r.docs[key]; ok {
		return s, nil
	}
	client := *r.client
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if originOf(req.URL) != origin {
			return fmt.Errorf("redirected to %s, off the origin %s", originOf(req.URL), origin)
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}
	resp, err := client.Get(key)
	if err != nil {
		return nil, refError(src, node, ErrInvalid, "$ref %q: fetching %s: %v", ref, key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, refError(src, node, ErrInvalid, "$ref %q: fetching %s: HTTP %d", ref, key, resp.StatusCode)
	}
	doc, _ := url.Parse(key)
	s, lerr := r.load(src, node, ref, resp.Body, &source{name: key, url: doc, origin: origin})
	if lerr != nil {
		return nil, lerr
	}
	r.docs[key] = s
	return s, nil
}

// load reads and parses a referenced document within the bounds, and queues it for check.
func (r *resolver) load(src *source, node *yaml.Node, ref string, body io.Reader, s *source) (*source, *Error) {
	if len(r.docs) > maxDocuments {
		return nil, refError(src, node, ErrInvalid, "$ref %q: the document's $refs load more than %d documents", ref, maxDocuments)
	}
	data, err := io.ReadAll(io.LimitReader(body, maxRefBytes-r.bytes+1))
	if err != nil {
		return nil, refError(src, node, ErrInvalid, "$ref %q: reading %s: %v", ref, s.name, err)
	}
	if r.bytes += int64(len(data)); r.bytes > maxRefBytes {
		return nil, refError(src, node, ErrInvalid, "$ref %q: the documents the $refs load are far too large (over %d MiB together)", ref, maxRefBytes>>20)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlLine(err)
		return nil, &Error{Source: s.name, Line: line, Err: ErrSyntax, Msg: "not valid YAML or JSON: " + msg}
	}
	s.root = unalias(&doc)
	if s.root == nil {
		s.root = &yaml.Node{Kind: yaml.MappingNode}
	}
	r.queue = append(r.queue, s)
	return s, nil
}

// originOf is a URL's scheme://host:port, the port written out.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

func withoutFragment(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// resolvePointer follows an RFC 6901 JSON pointer ("/components/schemas/Order") through a
// YAML node tree; nil when it leads nowhere.
func resolvePointer(n *yaml.Node, pointer string) *yaml.Node {
	n = unalias(n)
	if pointer == "" {
		return n
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if t, err := url.PathUnescape(tok); err == nil {
			tok = t
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch {
		case n == nil:
			return nil
		case n.Kind == yaml.MappingNode:
			n = field(n, tok)
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = unalias(n.Content[i])
		default:
			return nil
		}
	}
	return n
}
