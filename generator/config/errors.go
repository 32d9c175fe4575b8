package config

import (
	"errors"
	"strconv"
)

// Sentinel errors returned (wrapped with the file and field) by Parse, Resolve and Validate.
var (
	ErrUnknownField   = errors.New("unknown field")
	ErrMissingField   = errors.New("missing required field")
	ErrBadVersion     = errors.New("unsupported version")
	ErrBadValue       = errors.New("invalid value")
	ErrUnknownPreset  = errors.New("unknown preset")
	ErrNotADefinition = errors.New("not a client definition")
)

// FieldError names the file and the field a problem was found in, and how to fix it.
type FieldError struct {
	File  string // the definition file, as given
	Line  int    // 1-based line, 0 when unknown
	Field string // definition field, e.g. "token_url" or "headers.x5c"
	Err   error  // one of the sentinels above
	Msg   string // what is wrong and what to do
}

func (e *FieldError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		return where + ": " + e.Field + ": " + e.Msg
	}
	return where + ": " + e.Msg
}

func (e *FieldError) Unwrap() error { return e.Err }
