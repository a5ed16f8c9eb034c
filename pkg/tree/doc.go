// Package tree reads the scanned tree, the checked-out repository a pull
// request wrote, as hostile input: a file is read only when it resolves
// inside the root (a symlink to the mounted DNS key or to /dev/zero is
// refused, never opened), is a regular file (no FIFO that blocks, no
// device that never ends) and is within a size budget. Tools that read
// the tree themselves (terraform, ansible-lint) are given a tree only
// after Escapes found no symlink leading out of it.
package tree
