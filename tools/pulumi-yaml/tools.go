//go:build tools

// Package tools pins the Pulumi YAML language host so `go build` can compile it from the Go
// module proxy. It is built with pulumi-yaml's own dependency pins (copied into go.mod): against
// a newer github.com/pulumi/pulumi/pkg/v3 it does not compile.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
