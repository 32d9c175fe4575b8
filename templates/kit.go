package templates

import _ "embed"

// KitReadme is the text/template of an onboarding kit's README.md (see generator/kit for
// the data it is executed with).
//
//go:embed kit_readme.md.tmpl
var KitReadme string
