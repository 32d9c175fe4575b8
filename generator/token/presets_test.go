package token

import (
	"slices"
	"testing"

	"github.com/postmint/postmint/generator/config"
)

// TestProviderHintsArePresets keeps the hint table keyed by real preset names, so a renamed
// preset does not silently lose its hints.
func TestProviderHintsArePresets(t *testing.T) {
	names := config.PresetNames()
	for provider := range providerHints {
		if !slices.Contains(names, provider) {
			t.Errorf("providerHints has %q, which is not a preset (presets: %v)", provider, names)
		}
	}
	for child, parent := range providerParents {
		if !slices.Contains(names, child) || !slices.Contains(names, parent) {
			t.Errorf("providerParents %q -> %q: not both presets", child, parent)
		}
	}
}
