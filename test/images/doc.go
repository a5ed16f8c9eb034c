// Package images tests the images as users get them: built by `make
// images` with ko onto base images assembled here (no registry or Docker
// is reachable), pushed to an in-process registry, inspected, and run for
// real — the amd64 image's filesystem under chroot with mount and pid
// namespaces, the arm64 one under qemu-aarch64-static — with the command
// line their Task gives them, against examples/homelab.
//
// It needs root (unshare, mount, debootstrap for the ansible-lint base)
// and the Debian packages hack/deps.sh installs.
package images
