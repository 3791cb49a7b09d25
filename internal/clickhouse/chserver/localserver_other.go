//go:build !linux

package chserver

import "syscall"

// dieWithParent does nothing where there is no parent-death signal; a server
// left behind by a dead owner is adopted by the next StartLocal on its data
// directory.
func dieWithParent(*syscall.SysProcAttr) {}
