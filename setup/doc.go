// Package setup holds the composite action that runs modelgate on any
// runner (action.yml), its installer (install.sh), the packager of the
// release archives it installs (package.sh), and their tests: the
// installer against a loopback server that serves real archives and
// checksum files. It has no Go code of its own.
package setup
