//go:build tools

// Package tools pins the Pulumi Python language host (pulumi-language-python). sdk/v3 v3.68.0 is
// the last release whose module still contains it that the Go module proxy reachable here serves
// (later ones moved it into sdk/python/cmd/pulumi-language-python/v3, which it does not serve).
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
