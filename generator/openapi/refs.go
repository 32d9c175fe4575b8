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
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/internal/boundedread"
)

// Bounds on what the $refs of one document may load: bytes, depth and time, not a count of
// files (a split spec such as DigitalOcean's is 2,900 small files, 2.7 MB together).
const (
	maxRefBytes = 64 << 20 // bytes of all the documents $refs load, together
	maxRefChain = 64       // $ref to $ref to ... hops before a chain counts as a cycle
)

// Vars for the tests.
var (
	maxRefDepth = 64              // documents loaded by a $ref in a document loaded by a $ref in ...
	maxRefTime  = 2 * time.Minute // loading the documents $refs name, all together
)

// source is one document: the root, or a file or URL a $ref named.
type source struct {
	name   string     // as errors show it
	file   string     // absolute path of a document read from a file
	url    *url.URL   // URL of a document read over http(s)
	origin string     // scheme://host:port its $refs must stay on (URL documents)
	root   *yaml.Node // the document's top node
	depth  int        // 0 for the root, 1 for a document its $refs load, ...
	// ids are the document's schema resources by absolute $id, and its $anchors by
	// $id#anchor (OpenAPI 3.1 / JSON Schema 2020-12); built the first time a $ref needs them.
	ids map[string]*yaml.Node
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
	bytes  int64
	start  time.Time // when the first document was loaded
	client *http.Client
	is31   bool // $id and $anchor name schemas
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

// literalKeys hold data, not OpenAPI objects.
var literalKeys = map[string]bool{"example": true, "value": true, "default": true, "const": true, "enum": true}

// nameKeys hold maps whose keys are names (a property called "example" is not an example).
var nameKeys = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true,
	"schemas": true, "examples": true, "parameters": true, "responses": true, "requestBodies": true, "headers": true,
	"securitySchemes": true, "links": true, "callbacks": true, "pathItems": true, "content": true, "encoding": true,
	"variables": true, "mapping": true, "paths": true, "webhooks": true,
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
	if v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		return "", nil
	}
	return v.Value, v
}

// deref follows $refs until a node that is not one; a $ref that cannot be resolved aborts the
// walk of the operation it is met in (and one that leaves the origin, the whole document).
func (r *resolver) deref(a at) at {
	t, err := r.follow(a)
	if err != nil {
		abortOperation(err)
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
	if docPart != "" && r.is31 {
		// A schema's $id names it (JSON Schema 2020-12, OpenAPI 3.1): such a $ref is to a
		// resource of the document itself, not to another file.
		if id, ok := src.byID(docPart); ok {
			return r.inResource(src, node, ref, id, fragment)
		}
	}
	if docPart != "" {
		var err *Error
		if target, err = r.document(src, node, ref, docPart); err != nil {
			return at{}, err
		}
	}
	var n *yaml.Node
	if fragment != "" && !strings.HasPrefix(fragment, "/") {
		if !r.is31 {
			return at{}, refError(src, node, ErrInvalid, "$ref %q: a fragment that is not a JSON pointer (#/...) is a $anchor, which OpenAPI 3.1 has and this document's version does not", ref)
		}
		n = target.index()[target.base()+"#"+fragment]
	} else {
		n = resolvePointer(target.root, fragment)
	}
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
		return nil, refError(src, node, ErrInvalid, "$ref %q: %v", ref, boundedread.Cause(err))
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
		return nil, refError(src, node, ErrInvalid, "$ref %q: %v", ref, boundedread.Cause(err))
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

// load reads and parses a referenced document within the bounds.
func (r *resolver) load(src *source, node *yaml.Node, ref string, body io.Reader, s *source) (*source, *Error) {
	if r.start.IsZero() {
		r.start = time.Now()
	}
	if s.depth = src.depth + 1; s.depth > maxRefDepth {
		return nil, bound(refError(src, node, ErrInvalid, "$ref %q: documents load documents more than %d deep", ref, maxRefDepth))
	}
	if time.Since(r.start) > maxRefTime {
		return nil, bound(refError(src, node, ErrInvalid, "$ref %q: loading the documents the $refs name took more than %v", ref, maxRefTime))
	}
	data, err := io.ReadAll(io.LimitReader(body, maxRefBytes-r.bytes+1))
	if err != nil {
		return nil, refError(src, node, ErrInvalid, "$ref %q: reading %s: %v", ref, s.name, err)
	}
	if r.bytes += int64(len(data)); r.bytes > maxRefBytes {
		return nil, bound(refError(src, node, ErrInvalid, "$ref %q: the documents the $refs load are far too large (over %d MiB together)", ref, maxRefBytes>>20))
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
	return s, nil
}

// bound marks an error that stops the whole document, not one operation: a bound on what its
// $refs may load is reached.
func bound(e *Error) *Error {
	e.whole = true
	return e
}

// base is the URI a document's $ids and $refs resolve against.
func (s *source) base() string {
	switch {
	case s.url != nil:
		return withoutFragment(s.url)
	case s.file != "":
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(s.file)}).String()
	}
	return "file:///openapi-document"
}

// byID is the absolute $id a $ref's document part names, when a schema of src has that $id.
func (s *source) byID(docPart string) (string, bool) {
	base, err := url.Parse(s.base())
	if err != nil {
		return "", false
	}
	u, err := url.Parse(docPart)
	if err != nil {
		return "", false
	}
	id := withoutFragment(base.ResolveReference(u))
	_, ok := s.index()[id]
	return id, ok
}

// inResource finds a $ref's fragment (a JSON pointer or an $anchor) in the schema whose $id is id.
func (r *resolver) inResource(src *source, node *yaml.Node, ref, id, fragment string) (at, *Error) {
	var n *yaml.Node
	switch {
	case fragment == "":
		n = src.index()[id]
	case strings.HasPrefix(fragment, "/"):
		n = resolvePointer(src.index()[id], fragment)
	default:
		n = src.index()[id+"#"+fragment]
	}
	if n == nil {
		return at{}, refError(src, node, ErrInvalid, "$ref %q points at nothing in the schema with $id %q", ref, id)
	}
	return at{n, src}, nil
}

// index lists the document's schema resources ($id, resolved against the enclosing $id) and
// $anchors, once.
func (s *source) index() map[string]*yaml.Node {
	if s.ids != nil {
		return s.ids
	}
	s.ids = map[string]*yaml.Node{s.base(): s.root}
	var walk func(n *yaml.Node, base *url.URL, depth int)
	walk = func(n *yaml.Node, base *url.URL, depth int) {
		if n == nil || depth > 256 {
			return
		}
		switch n.Kind {
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, base, depth+1)
			}
		case yaml.MappingNode:
			if id := str(n, "$id"); id != "" {
				if u, err := url.Parse(id); err == nil {
					abs := base.ResolveReference(u)
					abs.Fragment, abs.RawFragment = "", ""
					base = abs
					if _, dup := s.ids[abs.String()]; !dup {
						s.ids[abs.String()] = n
					}
				}
			}
			if a := str(n, "$anchor"); a != "" {
				s.ids[withoutFragment(base)+"#"+a] = n
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if !literalKeys[n.Content[i].Value] {
					walk(n.Content[i+1], base, depth+1)
				}
			}
		}
	}
	if base, err := url.Parse(s.base()); err == nil {
		walk(s.root, base, 0)
	}
	return s.ids
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
