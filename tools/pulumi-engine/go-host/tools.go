//go:build tools

// Package tools pins the Pulumi Go language host (pulumi-language-go). sdk/v3 v3.61.0 is the
// newest release whose module still contains it that the Go module proxy reachable here serves.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go"
