package chserver

import "syscall"

// dieWithParent makes the kernel send SIGTERM to the server when the process
// that started it dies without stopping it (killed, a test binary timing out),
// so no server is left behind. Set on the thread that starts the child: the
// signal fires when that thread exits, which is why the child is started from
// a goroutine locked to its thread until the child exits.
func dieWithParent(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGTERM }
