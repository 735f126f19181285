//go:build tools

// Package tools pins the Pulumi CLI so `go build` can compile it from the Go module proxy
// (the official installers download at run time, which these machines cannot do).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
