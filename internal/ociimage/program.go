// Package ociimage builds the project's container images without Docker and
// without a network: files → layer → image → index → OCI image layout, with
// github.com/google/go-containerregistry. An image is two layers on an empty
// base: the base files every image shares (BaseFiles: /etc/passwd and
// /etc/group naming the non-root user, the CA certificates, /tmp) and one
// static Go binary built by `go build` (GoBuild). Build makes one image per
// platform and the index (manifest list) that holds them; WriteLayout writes
// it as an OCI image layout that `crane push` or `skopeo copy` sends to a
// registry. Programs is the one spec of what each image runs; `make image`
// (cmd/ociimage) and cmd/current-time-app/Dockerfile both follow it, and
// tests hold the Dockerfile to it.
package ociimage

import "slices"

// Module is the Go module the programs belong to.
const Module = "github.com/cfprewarm/cfprewarm"

// The image's user: a numeric uid and gid (65532, "nonroot", as distroless
// images use), so that a platform can tell it is not root without reading
// /etc/passwd. Every file in the image belongs to root: the process can
// write /tmp and nothing else.
const (
	UID  = 65532
	GID  = 65532
	User = "65532:65532"
)

// The labels every image carries (OCI image-spec annotation keys).
const (
	LabelTitle    = "org.opencontainers.image.title"
	LabelSource   = "org.opencontainers.image.source"
	LabelLicenses = "org.opencontainers.image.licenses"
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
	LabelCreated  = "org.opencontainers.image.created"
)

// Source is where the images' source code lives, and Licenses its license.
const (
	Source   = "https://" + Module
	Licenses = "MIT"
)

// Program is what one image runs: a main package of the module, installed
// as /<Name>.
type Program struct {
	Name    string   // the binary's and the image's name
	Package string   // the main package's import path
	Cmd     []string // default arguments; a container's own arguments replace them
	Ports   []string // exposed ports, "8080/tcp"
}

// Path is where the binary lies in the image.
func (p Program) Path() string { return "/" + p.Name }

// Entrypoint is the image's entrypoint: the binary alone, so that the
// container's arguments are the program's.
func (p Program) Entrypoint() []string { return []string{p.Path()} }

// StaticLabels are the labels that do not depend on the build.
func (p Program) StaticLabels() map[string]string {
	return map[string]string{LabelTitle: p.Name, LabelSource: Source, LabelLicenses: Licenses}
}

// Programs are the images the project builds.
var Programs = []Program{
	{
		// The sample origin: serves 8080, metrics on 9090 (--metrics-listen).
		Name:    "current-time-app",
		Package: Module + "/cmd/current-time-app",
		Ports:   []string{"8080/tcp", "9090/tcp"},
	},
	{
		// The prewarm daemon (`cfprewarm warm --every …`). With no
		// arguments the image prints warm's flags; the container's
		// arguments are a whole command line (`warm --every 1m …`, or
		// `probe …`).
		Name:    "cfprewarm",
		Package: Module + "/cmd/cfprewarm",
		Cmd:     []string{"warm", "--help"},
	},
}

// Lookup returns the program named name.
func Lookup(name string) (Program, bool) {
	i := slices.IndexFunc(Programs, func(p Program) bool { return p.Name == name })
	if i < 0 {
		return Program{}, false
	}
	return Programs[i], true
}

// Names lists the programs' names.
func Names() []string {
	names := make([]string, len(Programs))
	for i, p := range Programs {
		names[i] = p.Name
	}
	return names
}
