package oauth

import "regexp"

// The Postman Vault keeps secrets on the user's machine, outside environments (which Postman
// syncs to its cloud when they are shared). An environment written with postmint generate
// --vault holds references {{vault:NAME}} in privateKey and dpopKey instead of the keys; the
// collection script reads them with pm.vault.get (the Postman app, with "Enable support in
// scripts" on). Newman and the Postman CLI have no Postman Vault.

var vaultRefRE = regexp.MustCompile(VaultPattern)

// VaultRef returns the secret name a value refers to ({{vault:NAME}}), or "" and false.
func VaultRef(value string) (string, bool) {
	m := vaultRefRE.FindStringSubmatch(value)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// VaultReference is the value that refers to the Postman Vault secret name.
func VaultReference(name string) string { return "{{vault:" + name + "}}" }

// VaultNames are the Postman Vault secret names of a client's keys: its slug (the file name
// postmint generate writes), then -private-key or -dpop-key.
func VaultNames(slug string) (privateKey, dpopKey string) {
	return slug + "-private-key", slug + "-dpop-key"
}

// VaultPattern is vaultRefRE's source, for the collection script (the same syntax in both).
const VaultPattern = `^\s*\{\{vault:([^{}]+)\}\}\s*$`
