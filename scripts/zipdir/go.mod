module github.com/postmint/postmint/scripts/zipdir

go 1.22
