package openapi

import (
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/postman"
)

// Swagger 2.0 is read as such, not converted first: its parameters carry their schema
// keywords (type, format, items, enum, default) themselves, the body is a parameter "in: body",
// form fields are parameters "in: formData", the media types are consumes, and the base URL is
// schemes + host + basePath. Its $refs (#/definitions/..., #/parameters/..., other files) are
// JSON pointers that the resolver follows as it does for OpenAPI 3.

// swaggerServer sets BaseURL from schemes, host and basePath.
func (o *API) swaggerServer(top *yaml.Node, location *url.URL) {
	host, basePath := str(top, "host"), str(top, "basePath")
	schemes := stringList(top, "schemes")
	scheme := ""
	switch {
	case slices.Contains(schemes, "https"):
		scheme = "https"
	case len(schemes) > 0:
		scheme = schemes[0]
	case location != nil && (location.Scheme == "http" || location.Scheme == "https"):
		scheme = location.Scheme
	default:
		scheme = "https"
	}
	base := ""
	switch {
	case host != "":
		base = scheme + "://" + host + basePath
	case location != nil && (location.Scheme == "http" || location.Scheme == "https"):
		u := *location
		u.Path, u.RawPath, u.RawQuery, u.Fragment = basePath, "", "", ""
		base = u.String()
	default:
		base = basePath
		o.Warnings = append(o.Warnings, "the Swagger document names no host: set the collection variable baseUrl to the API's URL")
	}
	o.BaseURL = strings.TrimRight(defuseURL(braces.Replace(base)), "/")
	o.Variables = []postman.Param{{Key: VarBaseURL, Value: o.BaseURL, Description: "The API's base URL (the Swagger document's schemes, host and basePath); every request in API starts with it."}}
}

// consumes is the media types an operation takes: its own consumes, else the document's.
func (p *parser) consumes(op at) []string {
	if c := stringList(op.n, "consumes"); len(c) > 0 {
		return c
	}
	return stringList(p.refs.root.root, "consumes")
}

// swaggerBody makes a 2.0 body parameter, or the formData parameters, into the request body
// the way an OpenAPI 3 requestBody is: the body parameter's schema under each media type the
// operation consumes (JSON when none is named), form fields as an object schema.
func (p *parser) swaggerBody(r *postman.APIRequest, op at, body *param, form []param) {
	types := p.consumes(op)
	if body != nil {
		if len(types) == 0 {
			types = []string{"application/json"}
		}
		content := &yaml.Node{Kind: yaml.MappingNode}
		for _, t := range types {
			mt := &yaml.Node{Kind: yaml.MappingNode}
			if s := field(body.n, "schema"); s != nil {
				mt.Content = append(mt.Content, scalarNode("schema"), s)
			}
			if ex := field(body.n, "x-example"); ex != nil {
				mt.Content = append(mt.Content, scalarNode("example"), ex)
			}
			content.Content = append(content.Content, scalarNode(t), mt)
		}
		rb := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalarNode("content"), content}}
		p.requestBody(r, at{rb, body.src})
		return
	}
	if len(form) == 0 {
		return
	}
	multipart := slices.Contains(types, "multipart/form-data") && !slices.Contains(types, "application/x-www-form-urlencoded")
	for _, f := range form {
		if str(f.n, "type") == "file" {
			multipart = true
		}
	}
	r.Multipart = multipart
	if !multipart {
		r.Headers["Content-Type"] = "application/x-www-form-urlencoded"
	}
	for _, f := range form {
		field := postman.Param{Key: defuseText(f.name), Description: oneParagraph(str(f.n, "description"))}
		if str(f.n, "type") == "file" {
			field.File = true
		} else {
			field.Value = defuseText(p.paramValue(f))
		}
		if !isTrue(boolField(f.n, "required")) && !p.hasExample(f) {
			field.Disabled = true
		}
		r.Form = append(r.Form, field)
	}
}

func scalarNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// swaggerCollection is how a 2.0 array parameter's items are joined (collectionFormat) in the
// terms of OpenAPI 3: style and explode.
func swaggerCollection(n *yaml.Node) (style string, explode bool) {
	switch str(n, "collectionFormat") {
	case "multi":
		return "form", true
	case "ssv":
		return "spaceDelimited", false
	case "pipes":
		return "pipeDelimited", false
	case "tsv":
		return "tabDelimited", false
	}
	return "form", false
}
