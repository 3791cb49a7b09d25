package ingest

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Process identifies the process that runs a load: the host, the process
// id, and on Linux the boot and the start time of the process, so that a
// process id reused after the loader died is not taken for it.
type Process struct {
	Host  string
	PID   int
	Start string // "<boot id>/<start time in clock ticks>"; "" where unknown
}

// CurrentProcess is this process.
func CurrentProcess() Process {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return Process{Host: host, PID: pid, Start: processStart(pid)}
}

// Gone reports whether p is known to have exited: it ran on this host and
// no process with its id (and start time) runs any more. A process of
// another host is never known to be gone.
func (p Process) Gone() bool {
	if p.PID <= 0 {
		return true // recorded before processes were: no load of it can still run
	}
	if host, _ := os.Hostname(); p.Host != host {
		return false
	}
	err := syscall.Kill(p.PID, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return true
	}
	return p.Start != "" && processStart(p.PID) != p.Start
}

func (p Process) String() string {
	return "process " + strconv.Itoa(p.PID) + " on " + p.Host
}

// processStart reads the boot id and the start time of a process from
// /proc, "" where there is no /proc.
func processStart(pid int) string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// count the fields after its closing one. The start time is field 22.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + fields[19]
}
