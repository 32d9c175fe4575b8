package openapi

import (
	"errors"
	"strconv"
)

// Sentinel errors, wrapped in an *Error: errors.Is(err, ErrSyntax) and so on.
var (
	// ErrSyntax: the document is not YAML or JSON.
	ErrSyntax = errors.New("not valid YAML or JSON")
	// ErrVersion: the document is not OpenAPI 3.0 or 3.1 (e.g. Swagger 2.0).
	ErrVersion = errors.New("unsupported OpenAPI version")
	// ErrInvalid: the document parses but cannot be made into requests (a $ref that points at
	// nothing, a cycle of $refs, an example too large to expand).
	ErrInvalid = errors.New("not a usable OpenAPI document")
	// ErrRefOrigin: a $ref leaves the document's origin: another host or scheme for a document
	// read from a URL; a file outside the document's folder, or a URL, for a document read from
	// a file.
	ErrRefOrigin = errors.New("$ref outside the document's origin")
)

// Error is a document that cannot be turned into requests, with the position of the problem.
type Error struct {
	Source       string // path or URL of the document the problem is in
	Line, Column int    // 1-based; 0 when unknown
	Err          error  // one of the sentinels above
	Msg          string // what is wrong and what to do
	whole        bool   // the whole document fails, not only the operation it is met in
}

func (e *Error) Error() string {
	where := e.Source
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			where += ":" + strconv.Itoa(e.Column)
		}
	}
	return where + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }
