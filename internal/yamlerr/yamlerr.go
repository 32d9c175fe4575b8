// Package yamlerr reads the line number out of go.yaml.in/yaml/v3's error messages, for the
// three readers of YAML (client definitions, clients files, OpenAPI documents) that name the
// line in their own errors.
package yamlerr

import (
	"regexp"
	"strconv"
	"strings"
)

var reLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Line splits "yaml: line N: msg" (or a type error's "line N: msg") into N and msg; a message
// without a line is returned with 0 and without its "yaml: " prefix.
func Line(msg string) (int, string) {
	if m := reLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// Readable replaces yaml.v3's tags in a message with words ("!!str" becomes "a string").
func Readable(msg string) string {
	return tags.Replace(msg)
}

var tags = strings.NewReplacer("!!str", "a string", "!!seq", "a list", "!!map", "a mapping", "!!int", "a number", "!!bool", "a boolean")
