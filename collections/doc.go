// Package collections holds example postmint output, one collection and environment per
// seed identity provider, generated with --no-key from testdata/definitions. The test in
// this package fails when they differ from what the code generates; regenerate them with
//
//	go test ./collections -update
package collections
