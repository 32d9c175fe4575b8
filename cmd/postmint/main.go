// Command postmint generates Postman collections and environments that sign JWT client
// assertions offline, and mints assertions and tokens for Newman runs in CI.
package main

import "os"

func main() {
	os.Exit(Run(os.Args, os.Stdout, os.Stderr))
}
