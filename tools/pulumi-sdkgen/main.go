// Command pulumi-sdkgen writes the Node (TypeScript), Python and Go SDKs of the vps package from
// its Pulumi package schema, offline.
//
// `pulumi package gen-sdk` asks a language host to generate code, and the hosts that build here
// (sdk/v3 v3.68.0 and v3.61.0) cannot; the code generators themselves live in
// github.com/pulumi/pulumi/pkg/v3, pinned in go.mod to the CLI's version, so this calls them
// directly, as Pulumi's own providers do (pulumi-gen-<name>).
//
// Usage: pulumi-sdkgen <schema.json> <output folder>
// writes <output folder>/nodejs, <output folder>/python and <output folder>/go, each replaced whole.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the name the generated files carry in their "do not edit" header.
const tool = "pulumi-sdkgen"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-sdkgen <schema.json> <output folder>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// A package that "supports pack" gets the layout current Pulumi providers publish: the Go SDK
	// as its own module (sdks/go/go.mod), a pyproject.toml for Python, and the schema's version
	// written into every SDK instead of a placeholder, so each SDK installs as it stands.
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	spec.Meta.SupportPack = true

	generators := []struct {
		language string
		generate func(*schema.Package) (map[string][]byte, error)
	}{
		{"nodejs", func(pkg *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, nil)
		}},
		{"python", func(pkg *schema.Package) (map[string][]byte, error) {
			return python.GeneratePackage(tool, pkg, nil, nil)
		}},
		{"go", func(pkg *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, pkg, nil)
		}},
	}
	for _, g := range generators {
		// Each generator records its language's options on the package it is given: bind afresh.
		pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
		if err != nil {
			return fmt.Errorf("binding %s: %w", schemaPath, err)
		}
		if diags.HasErrors() {
			return fmt.Errorf("binding %s: %s", schemaPath, diags.Error())
		}
		files, err := g.generate(pkg)
		if err != nil {
			return fmt.Errorf("generating the %s SDK: %w", g.language, err)
		}
		if err := writeTree(filepath.Join(outDir, g.language), files); err != nil {
			return err
		}
	}
	return nil
}

// writeTree replaces dir with exactly the given files, so a type removed from the schema leaves
// no stale file behind.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
